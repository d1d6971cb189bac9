"""The security headers' tables, which read nothing from the environment (portal/settings.py
names them)."""

# Content-Security-Policy (django-csp): scripts, styles and everything else from the portal
# itself only; no inline script or style anywhere (bars are SVG, scripts are files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **{
            directive: ["'self'"]
            for directive in ("default-src", "script-src", "style-src", "font-src", "connect-src")
        },
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Browser features no page of the portal uses, turned off for every page (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}
