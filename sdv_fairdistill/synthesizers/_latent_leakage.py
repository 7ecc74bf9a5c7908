"""How much of the sensitive group the fair part of a fitted model's latent still carries:
the diagnostics' ``latent_leakage_auroc`` and the latent view's leakage, one definition."""

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict


def leakage_auroc(latent, groups, keep, seed):
    """AUROC of predicting the group from ``latent`` (logistic regression, 3-fold
    cross-validated; macro one-vs-rest for several groups), on the rows of the groups
    ``keep``; NaN with fewer than two."""
    rows = np.isin(groups, keep)
    if len(keep) < 2:
        return float('nan')
    labels = groups[rows]
    folds = StratifiedKFold(3, shuffle=True, random_state=seed)
    scores = cross_val_predict(
        LogisticRegression(max_iter=500), latent[rows], labels, cv=folds, method='predict_proba'
    )
    if len(keep) == 2:
        return float(roc_auc_score(labels == keep[1], scores[:, 1]))
    return float(roc_auc_score(labels, scores, multi_class='ovr', average='macro'))


def fair_latent_draws(model, x, condition, seed):
    """The fair part of the student's latent as the decoder and the latent density see it:
    a posterior draw per row, seeded (the global generators are left as they were). Not the
    means: the penalty acts on draws, and means that differ by group in their last digits (a
    latent the decoder ignores) give a scale-blind classifier an AUROC of 1."""
    with torch.random.fork_rng(devices=[model.device] if model.device.type == 'cuda' else []):
        torch.manual_seed(seed)
        draws = model._posterior_samples(model.student_encoder, x, condition)
    return draws[:, : model.fair_latent_dim]
