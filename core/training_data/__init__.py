"""Training data: importing replies the shop sent before Huayu, exporting what staff did with
drafts as fine-tuning data, and scrubbing personal details from it. Reads through `db`.
"""
