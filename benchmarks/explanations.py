"""The explanations on Adult (sex, income): attributions, proxies, latent leakage, their time.

Fits FairDistill with its defaults and the unfair ablation (``fairness_weight=0``) on 70 % of
Adult (split seeded, stratified on income), samples as many rows, and writes for each:
the attribution share of ``sex`` and of the three strongest proxies for the real- and the
synthetic-trained model, the per-column proxy AUROCs (real vs synthetic), the latent leakage
AUROC, and the time of a report with and without the explanations. The defaults' report is
also written as HTML with the latent view beside the ablation's.

    python benchmarks/explanations.py -o benchmarks/results/explanations
    python benchmarks/explanations.py --fitted fair.pkl unfair.pkl  # reuse two fits
    python benchmarks/explanations.py --detected --seed 1 -o ...  # SDV-detected metadata
"""

import argparse
import json
import time
from pathlib import Path

from sdmetrics.reports import QualityReport
from sdv.single_table import FairDistillSynthesizer
from sdv.utils import load_synthesizer
from sklearn.model_selection import train_test_split

from sdv_fairdistill.datasets import load_adult
from sdv_fairdistill.metrics import FairnessReport


def _report(train, test, synthetic, metadata, explain):
    report = FairnessReport(explain=explain)
    started = time.perf_counter()
    report.generate(train, synthetic, metadata, sensitive_columns='sex', target_column='income',
                    real_validation_data=test, verbose=False)
    return report, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-o', '--output', default='benchmarks/results/explanations')
    parser.add_argument('--fitted', nargs=2, metavar='PKL',
                        help='the defaults and the fairness_weight=0 synthesizer, fitted on '
                        'this split (seed 0) by an earlier run')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--detected', action='store_true',
                        help="learn with the metadata SDV's detect_from_dataframes gives")
    args = parser.parse_args()
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)

    data, metadata = load_adult()
    if args.detected:
        from sdv.metadata import Metadata

        metadata = Metadata.detect_from_dataframes({'adult': data})
    train, test = train_test_split(data, test_size=0.3, random_state=0,
                                   stratify=data['income'])
    results, synthesizers = {}, {}
    for index, (name, weight) in enumerate((('defaults', None), ('fairness_weight=0', 0.0))):
        if args.fitted:
            synthesizer = load_synthesizer(args.fitted[index])
            fit_time = None
        else:
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns='sex', target_column='income', seed=args.seed,
                **({} if weight is None else {'fairness_weight': weight}),
            )
            started = time.perf_counter()
            synthesizer.fit({'adult': train})
            fit_time = time.perf_counter() - started
            synthesizer.save(output / f'{"fair" if weight is None else "unfair"}.pkl')
        synthesizers[name] = synthesizer
        synthetic = synthesizer.sample(len(train))['adult']
        plain, plain_time = _report(train, test, synthetic, metadata, explain=False)
        report, report_time = _report(train, test, synthetic, metadata, explain=True)
        started = time.perf_counter()
        embedding = synthesizer.get_latent_embedding(train, num_rows=5000, seed=args.seed)
        latent_time = time.perf_counter() - started
        results[name] = {
            'fit_seconds': fit_time,
            'report_seconds_without_explanations': plain_time,
            'report_seconds_with_explanations': report_time,
            'explanation_seconds': report.get_info()['explanation_time'],
            'latent_embedding_seconds': latent_time,
            'latent_leakage_auroc': embedding.attrs['leakage_auroc'],
            'diagnostics': synthesizer.get_fairness_diagnostics(),
            'scores': report.get_properties().set_index('Property')['Score'].to_dict(),
            'attribution_summary': report.get_attribution_summary().to_dict(orient='records'),
            'sensitive_effect': report.get_sensitive_effect().to_dict(orient='records'),
            'attributions': report.get_details('Feature Attributions').to_dict(orient='records'),
            'proxies': report.get_details('Proxy Strength').to_dict(orient='records'),
        }
        print(name, json.dumps({k: v for k, v in results[name].items()
                                if k not in ('attributions', 'proxies')}, default=str, indent=1))
        if weight is None:
            quality = QualityReport()
            quality.generate({'adult': train}, {'adult': synthetic}, metadata.to_dict(),
                             verbose=False)
            fair_report = report

    figure = synthesizers['defaults'].get_latent_plot(
        train, method='discriminant', compare_to=synthesizers['fairness_weight=0'],
        num_rows=3000, seed=args.seed,
        names=('defaults', 'fairness_weight=0'),
    )
    fair_report.save_html(output / 'report.html', quality_report=quality,
                          extra_figures={'Latent view': figure},
                          title='FairDistill on Adult (sex, income), defaults',
                          quality_table='adult')
    (output / 'results.json').write_text(json.dumps(results, indent=2, default=float))
    print(f'Wrote {output}/results.json and {output}/report.html')


if __name__ == '__main__':
    main()
