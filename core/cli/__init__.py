"""`python -m core`: the argument parser (`parser`) and one module per command (`commands/`).
"""
