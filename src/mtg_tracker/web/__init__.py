"""The web app: server-rendered pages for people, on top of the domain services (never their routers).

Pages work without JavaScript; sessions live in HttpOnly cookies; every form carries a CSRF token.
"""
