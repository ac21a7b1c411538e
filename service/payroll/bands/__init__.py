"""Salary bands: the pay matrix of grade × rating, its versions, and the page that edits it."""
