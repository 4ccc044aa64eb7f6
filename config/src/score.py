"""Online scoring script for the churn model: Azure ML calls init() once per worker, then run() per request.

Request body (see config/request.json): {"data": [{"tenure_months": 3, "monthly_charges": 79.5, ...}, ...]}.
"""
import json

import churn_model

model = None


def init():
    global model
    # Azure ML mounts the model at AZUREML_MODEL_DIR/<folder name>; churn_model.load() reads it from there.
    model = churn_model.load()


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return {"churn_probability": model.predict_proba(rows)}
