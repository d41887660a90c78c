"""Following up late units: the chasing ladder (reminders, copies to the parent, escalation to the follow-up
officer), the emails it sends, the Prefect events it emits, and rolling up reports into the consolidated
report an issuer receives.
"""
