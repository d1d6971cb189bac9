"""The portal's date formats per language (FORMAT_MODULE_PATH), over Django's own: 2027年4月30日
in Chinese, 30 April 2027 in English, with the 24-hour Beijing time the program announces."""
