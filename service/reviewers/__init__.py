"""Bureau reviewers: the client bureau's people, signed in through their own
identity provider (service.sso), and the portal that shows them only their bureau."""
