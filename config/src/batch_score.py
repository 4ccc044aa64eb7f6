"""Batch scoring script: Azure ML calls init() once per process, then run() per mini-batch of input files."""
import os

import joblib
import pandas as pd

model = None


def init():
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.joblib"))


def run(mini_batch):
    frames = [pd.read_csv(path) for path in mini_batch]
    data = pd.concat(frames, ignore_index=True)
    data["churn_probability"] = model.predict_proba(data)[:, 1]
    return data
