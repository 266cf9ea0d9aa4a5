"""Storage: functions taking a SQLAlchemy Connection. They never raise HTTP errors."""
