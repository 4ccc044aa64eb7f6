"""Loads the sample churn model from where Azure ML mounts it, and scores rows with it.

A model registered from a folder is mounted at AZUREML_MODEL_DIR/<folder name>: dev.yaml uploads config/models/churn,
so its files are under AZUREML_MODEL_DIR/churn (model.json, preprocessing/features.json). Set MODEL_FOLDER when a
deployment's model comes from a folder with another name, as prod.yaml's green deployment does for models/churn-v4.
"""
import json
import math
import os


class ChurnModel:
    def __init__(self, folder):
        with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
            model = json.load(f)
        with open(os.path.join(folder, "preprocessing", "features.json"), encoding="utf-8") as f:
            features = json.load(f)
        self.intercept = model["intercept"]
        self.coefficients = model["coefficients"]
        self.features = features["features"]
        self.defaults = features["defaults"]

    def predict_proba(self, rows):
        """The churn probability of each row (a mapping of feature name to value)."""
        scores = []
        for row in rows:
            z = self.intercept + sum(self.coefficients[name] * float(row.get(name, self.defaults[name])) for name in self.features)
            scores.append(1.0 / (1.0 + math.exp(-z)))
        return scores


def load():
    """The model in AZUREML_MODEL_DIR/<MODEL_FOLDER>, the folder's name as it was uploaded."""
    return ChurnModel(os.path.join(os.environ["AZUREML_MODEL_DIR"], os.environ.get("MODEL_FOLDER", "churn")))
