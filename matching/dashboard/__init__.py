"""The ministry's dashboard, the public statistics page and the stats API."""
