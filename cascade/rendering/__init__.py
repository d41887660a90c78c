"""Words and layout for people: the Jinja2 environment every email and page is rendered with, the Vietnamese
date formats, the labels of statuses and roles, and the Vietnamese/English translation layer.
"""
