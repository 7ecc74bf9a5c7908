import warnings, sys, json, time, numpy as np, pandas as pd, torch
warnings.simplefilter('ignore')
from sklearn.ensemble import HistGradientBoostingClassifier
from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.core.calibration import _selection_offsets

def matrix(table, columns, ref):
    out = {}
    cat = []
    for c in columns:
        if pd.api.types.is_numeric_dtype(ref[c]) and not pd.api.types.is_bool_dtype(ref[c]):
            out[c] = pd.to_numeric(table[c], errors='coerce').to_numpy(float); cat.append(False)
        else:
            cats = pd.Index(pd.unique(ref[c].astype(str)))
            codes = cats.get_indexer(table[c].astype(str)).astype(float)
            codes[codes < 0] = np.nan
            out[c] = codes; cat.append(len(cats) <= 255)
    return np.column_stack(list(out.values())), np.array(cat)

ds = get_dataset(sys.argv[1]); kind = sys.argv[2]
for seed in [int(a) for a in sys.argv[3:]]:
    train, test, curated = split_dataset(ds, None, 0.3, seed)
    ev = Evaluator(train, test, curated, ds, random_state=seed)
    syn = FairDistillSynthesizer(generator_metadata(kind, curated, train, ds), sensitive_columns=list(ds.sensitive_columns), target_column=ds.target_column, seed=seed, calibrate_target=False)
    syn.fit({ds.table_name: train})
    m = syn._model
    processed = syn._preprocess(train) if hasattr(syn, '_preprocess') else syn.preprocess({ds.table_name: train})[ds.table_name]
    cols = [c for c in processed.columns if c != ds.target_column]
    Xr, cat = matrix(processed, cols, processed)
    codes = syn._group_codes(processed) if hasattr(syn, '_group_codes') else None
    groups_real = pd.MultiIndex.from_frame(processed[list(ds.sensitive_columns)].astype(str))
    gtab = pd.MultiIndex.from_frame(syn._groups.astype(str))
    greal = gtab.get_indexer(groups_real)
    n_groups = len(syn._groups)
    pos = processed[ds.target_column]
    t0 = time.time()
    offsets = np.zeros(n_groups)
    for r in range(3):
        m.target_offsets = torch.as_tensor(offsets, dtype=torch.float32)
        m.set_random_state(1000 + r)
        gen = syn._sample(20000)
        Xg, _ = matrix(gen, cols, processed)
        yg = (gen[ds.target_column].astype(str) == str(ds.positive_label)).astype(int) if gen[ds.target_column].dtype == object else None
        # label: the processed target value equal to the positive label
        yg = (gen[ds.target_column] == processed[ds.target_column].dtype.type(ds.positive_label)).astype(int) if yg is None else yg
        clf = HistGradientBoostingClassifier(categorical_features=cat, random_state=seed)
        clf.fit(Xg, yg)
        lo = clf.decision_function(Xr)
        d = _selection_offsets(lo, greal, n_groups)
        offsets = offsets + d
        print(' round', r, 'pos rate', yg.mean().round(3), 'd', d.round(3), flush=True)
    cal_s = time.time() - t0
    for arm, o in (('rawcal', offsets), ('uncal', None)):
        m.target_offsets = None if o is None else torch.as_tensor(o, dtype=torch.float32)
        for n in (len(train), 20000):
            syn._set_random_state(seed)
            rs = [ev.evaluate(syn.sample(n)[ds.table_name], fidelity=False) for _ in range(3)]
            print(json.dumps({'dataset': sys.argv[1], 'kind': kind, 'seed': seed, 'arm': arm, 'rows': n,
              'dp': [round(float(x['dp_difference']), 3) for x in rs], 'dp_mean': round(float(np.mean([x['dp_difference'] for x in rs])), 4),
              'auroc': round(float(np.mean([x['auroc'] for x in rs])), 4), 'acc': round(float(np.mean([x['accuracy'] for x in rs])), 4),
              'label_gap': round(float(np.mean([x['label_gap'] for x in rs])), 4), 'offsets': list(np.round(offsets, 3)), 'cal_s': round(cal_s, 1)}), flush=True)
