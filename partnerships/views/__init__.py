"""Partnership views, one module per audience: public.py (anyone), register.py
(officials registering and editing), dashboard.py (the official's /akun/)."""
