"""Users, departments, role members, tokens, logins and sessions."""
