"""Batch scoring script: Azure ML calls init() once per process, then run() per mini-batch of input files."""
import csv

import churn_model

model = None


def init():
    global model
    # Azure ML mounts the model at AZUREML_MODEL_DIR/<folder name>; churn_model.load() reads it from there.
    model = churn_model.load()


def run(mini_batch):
    """One output row per input row: the input file, the row number and its churn probability."""
    results = []
    for path in mini_batch:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for i, probability in enumerate(model.predict_proba(rows)):
            results.append(f"{path},{i},{probability}")
    return results
