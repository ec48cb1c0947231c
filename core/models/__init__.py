"""Models: the backends behind one contract, the process's one loaded model, model files,
downloads and the hardware report. Knows nothing of prompts, the database or the pages.
"""
