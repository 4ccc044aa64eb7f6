"""Online scoring script for the churn model: Azure ML calls init() once per worker, then run() per request."""
import json
import os

import joblib
import pandas as pd

model = None


def init():
    global model
    # AZUREML_MODEL_DIR points at the registered model's files inside the container.
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.joblib"))


def run(raw_data):
    frame = pd.DataFrame(json.loads(raw_data)["data"])
    return {"churn_probability": model.predict_proba(frame)[:, 1].tolist()}
