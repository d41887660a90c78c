"""What comes back up through the signed links: acknowledgements, refusals and rerouting, passing a directive
on to the units below (forwarded or authored), results reports and their attachments.
"""
