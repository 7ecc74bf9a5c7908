"""The argument parser: one sub-command per command function, with its options."""

import argparse

from sdv_fairdistill.cli._base import PICKLE_WARNING, PROG
from sdv_fairdistill.cli.benchmark_demo import command_benchmark, command_demo
from sdv_fairdistill.cli.fit_sample import command_fit, command_sample
from sdv_fairdistill.cli.report import command_report
from sdv_fairdistill.core.criteria import CRITERIA
from sdv_fairdistill.datasets import DATASETS


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Fair synthetic tables with FairDistillSynthesizer (an SDV add-on): fit, '
        'sample, evaluate fairness and quality, benchmark.',
        epilog=f'Run "{PROG} COMMAND --help" for the options of a command.',
    )
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    def add(name, help_text, function, details=''):
        sub = commands.add_parser(name, help=help_text, description=f'{help_text} {details}')
        sub.set_defaults(function=function)
        sub.add_argument('-q', '--quiet', action='store_true',
                         help='no progress bars or progress messages')
        return sub

    fit = add('fit', 'Fit a FairDistillSynthesizer on a CSV or Parquet table and save it.',
              command_fit)
    fit.add_argument('data', help='the real table (.csv, .csv.gz, .parquet, or a folder of '
                     'Parquet files)')
    fit.add_argument('-s', '--sensitive', nargs='+', required=True, metavar='COLUMN',
                     help='sensitive column(s); several form joint (intersectional) groups')
    fit.add_argument('-t', '--target', metavar='COLUMN',
                     help='the label a downstream model will learn (made independent of the '
                     'sensitive groups in the synthetic data)')
    fit.add_argument('-m', '--metadata', metavar='JSON',
                     help='SDV metadata file (default: detected from the data)')
    fit.add_argument('--table-name', help='table name in the detected metadata (default: file '
                     "name; with --metadata, the file's table)")
    fit.add_argument('-o', '--output', required=True, metavar='PKL',
                     help='where to save the fitted synthesizer, a pickle (load it with '
                     'sdv.utils.load_synthesizer; checked to be writable before fitting)')
    fit.add_argument('--fairness-weight', type=float, metavar='W',
                     help='weight of the fairness penalty; 0 = no fairness (default: the '
                     "synthesizer's)")
    fit.add_argument('--criterion', dest='fairness_criterion', choices=CRITERIA, default=None,
                     help='fairness a classifier trained on the synthetic table should have: '
                     'demographic_parity (default), equalized_odds, equal_opportunity')
    fit.add_argument('--positive-label', metavar='VALUE',
                     help="the target's positive class, for --criterion equal_opportunity "
                     '(default: 1 or True for a 0/1 or boolean target)')
    fit.add_argument('--epochs', type=int, metavar='N', help='teacher epochs')
    fit.add_argument('--distill-epochs', type=int, metavar='N', help='student epochs')
    fit.add_argument('--batch-size', type=int, metavar='N', help='batch size')
    fit.add_argument('--latent-dim', type=int, metavar='N', help='size of the latent space')
    fit.add_argument('--encode-target', action=argparse.BooleanOptionalAction, default=None,
                     help='let the encoders read the target column (default: no; see '
                     'FairDistillSynthesizer)')
    fit.add_argument('--balance-target', action=argparse.BooleanOptionalAction, default=None,
                     help='reweigh rows so the target is independent of the sensitive groups '
                     "(default: under --criterion equalized_odds and equal_opportunity; "
                     'categorical targets only)')
    fit.add_argument('--align-target', action=argparse.BooleanOptionalAction, default=None,
                     help="map each group's target scores onto their pooled distribution "
                     '(default: with several sensitive columns, under demographic parity)')
    fit.add_argument('--calibrate-target', action=argparse.BooleanOptionalAction, default=None,
                     help="shift each group's log-odds of a two-class target (or a number "
                     'drawn from the features) so that a model trained on generated rows '
                     'selects (predicts) every group equally, inside each true class under '
                     'the error-rate criteria (default: yes, with the penalty on)')
    fit.add_argument('--label-from-features', action=argparse.BooleanOptionalAction,
                     default=None, help='draw the target from a classifier (a number: a regressor) '
                     'of the real rows that scores each generated row, aligned across groups '
                     '(default: yes, under demographic parity; under the error-rate criteria, '
                     'two classes, each group keeping its own scores: tried, and kept where the '
                     "calibration measures every group's shift to within 0.25 log-odds)")
    fit.add_argument('--label-sharpness', type=float, metavar='K',
                     help="with the label from the features, the factor on the pooled scores' "
                     'log-odds (more than two classes: on the class log-probabilities) before '
                     'the label is drawn (1: the classifier\'s probability; '
                     "default: the synthesizer's)")
    fit.add_argument('--label-repair', type=float, metavar='A',
                     help='how far (0 to 1) each group moves to equal label rates: below 1 '
                     "a group keeps 1 - A of its real label-rate gap (two classes, demographic "
                     'parity; default: 1, equal rates)')
    fit.add_argument('--seed', type=int, default=None, help='seed for a reproducible fit')
    fit.add_argument('--gpu', action='store_true', help='train on a CUDA GPU if there is one')
    fit.add_argument('--sample-rows', type=int, metavar='N',
                     help='learn from N rows drawn at random (with --seed) from a Parquet '
                     'file or folder, read in batches: for tables larger than memory '
                     '(default: every row)')
    fit.add_argument('--nproc-per-node', type=int, metavar='N',
                     help='train data-parallel in N processes started by torchrun (gloo on '
                     'CPUs; NCCL, one GPU each, with --gpu); each takes its share of every '
                     '--batch-size batch (default: one process)')

    sample = add('sample', 'Sample rows from a saved synthesizer into a CSV or Parquet file.',
                 command_sample, f'Careful: {PICKLE_WARNING}.')
    sample.add_argument('synthesizer',
                        help='a synthesizer saved by "fit" (or SDV\'s save), a pickle; '
                        f'{PICKLE_WARNING}')
    sample.add_argument('-n', '--num-rows', type=int, required=True, help='rows to generate')
    sample.add_argument('-o', '--output', required=True, metavar='FILE',
                        help='output table (.csv, .csv.gz, .parquet)')
    sample.add_argument('--seed', type=int, default=None,
                        help='seed for reproducible rows (default: a fresh seed each run, '
                        'printed unless --quiet)')
    sample.add_argument('--batch-size', type=int, metavar='N',
                        help='rows generated at a time; a .parquet output is written one '
                        'row group per batch, so any --num-rows fits in memory (default: '
                        'equal batches of at most 100000 for FairDistillSynthesizer, else the '
                        "synthesizer's own)")

    report = add('report', "Fairness report and SDMetrics' quality report of synthetic data.",
                 command_report)
    report.add_argument('real', help='the real table the synthesizer learned from')
    report.add_argument('synthetic', help='the synthetic table')
    report.add_argument('-s', '--sensitive', nargs='+', required=True, metavar='COLUMN',
                        help='sensitive column(s)')
    report.add_argument('-t', '--target', required=True, metavar='COLUMN',
                        help='the column a downstream classifier predicts (a number of more '
                        'than ten values without --positive-label: a regressor)')
    report.add_argument('--positive-label', metavar='VALUE',
                        help='the favourable target value (needed when the target has more '
                        'than two values)')
    report.add_argument('--criterion', choices=CRITERIA, default=None,
                        help='the fairness criterion the overall score uses (default: the '
                        'mean of demographic parity and equalized odds)')
    report.add_argument('--validation', metavar='FILE',
                        help='real rows the synthesizer never saw, to test classifiers on '
                        '(default: 30%% of the real table is held out, with a warning: '
                        'rows the synthesizer learned from flatter its data)')
    report.add_argument('-m', '--metadata', metavar='JSON',
                        help='SDV metadata file (default: detected from the real data)')
    report.add_argument('--classifier', default=None,
                        choices=['HistGradientBoosting', 'RandomForest', 'LogisticRegression',
                                 'XGBoost'],
                        help='downstream classifier (default: HistGradientBoosting)')
    report.add_argument('--min-group-size', type=int, metavar='N',
                        help='fewest rows a sensitive group may have (for equalized odds: '
                        'positive and negative rows in the validation data) to be measured '
                        '(default: 5)')
    report.add_argument('-o', '--output', metavar='JSON', help='also save the scores as JSON')
    report.add_argument('--html', metavar='FILE',
                        help='also write every figure and table to one self-contained HTML file')
    report.add_argument('--no-explain', dest='explain', action='store_false',
                        help='skip the explanations (feature attributions, proxy strength)')
    report.add_argument('--synthesizer', metavar='PKL',
                        help='the saved synthesizer that made the synthetic table: the HTML '
                        f'file then shows its latent view ({PICKLE_WARNING})')
    report.add_argument('--latent-method', choices=['discriminant', 'pca', 'tsne'],
                        default='discriminant',
                        help='how the latent view is drawn in 2-D (default: %(default)s: x is '
                        'the direction that best separates the groups, so leakage shows)')
    report.add_argument('--compare', metavar='PKL',
                        help='a second saved synthesizer shown beside it in the latent view, '
                        'e.g. the unfair ablation (fit --fairness-weight 0)')

    bench = add('benchmark', 'Benchmark FairDistill, its ablations and SDV synthesizers on '
                'Adult, COMPAS and German Credit.', command_benchmark)
    bench.add_argument('--quick', action='store_true',
                       help='small data, few epochs, two seeds: minutes, for a smoke test '
                       '(default: the full benchmark, hours on a CPU)')
    bench.add_argument('--datasets', nargs='+', action='extend', metavar='NAME',
                       help='datasets to run (default: adult compas german); all: '
                       + ' '.join(DATASETS))
    bench.add_argument('--generators', nargs='+', action='extend', metavar='NAME',
                       help="subset of the generators (quote names with spaces, e.g. "
                       "'FairDistill (teacher)')")
    bench.add_argument('--seeds', nargs='+', action='extend', type=int, metavar='SEED',
                       help='seeds to run')
    bench.add_argument('--num-rows', type=int, metavar='N', help='rows per dataset at most')
    bench.add_argument('--classifier',
                       choices=['HistGradientBoosting', 'LogisticRegression', 'RandomForest',
                                'XGBoost'],
                       help='downstream classifier')
    bench.add_argument('--ceilings', nargs='*', action='extend', choices=CRITERIA,
                       metavar='CRITERION',
                       help="criteria whose fairlearn ExponentiatedGradient classifier on the "
                       'real rows is a reference row (default: all three in the full mode, '
                       'none in the quick mode; no value: none)')
    bench.add_argument('--metadata', nargs='+', action='extend', choices=['curated', 'detected'],
                       metavar='KIND',
                       help="metadata the generators learn with: 'curated' and / or "
                       "'detected' (SDV's detect_from_dataframes; default: both in the full "
                       'mode, curated in the quick mode); the sweep learns with the first')
    bench.add_argument('--no-reference', action='store_true',
                       help="skip the 'Real data' reference row (e.g. in a part of a run "
                       'whose other part has it)')
    bench.add_argument('--no-sweep', action='store_true',
                       help='skip the sweep (no trade-off curve)')
    bench.add_argument('--sweep-datasets', nargs='+', action='extend', metavar='NAME',
                       help='datasets of the sweep (default: adult when --datasets has it, '
                       'else the first of them)')
    bench.add_argument('--sweep-seeds', nargs='+', action='extend', type=int, metavar='SEED',
                       help='seeds of the sweep (default: the mode\'s)')
    bench.add_argument('--sweep-weights', nargs='+', action='extend', type=float, metavar='W',
                       help='fairness_weight values of the sweep (default: 0 100 300 1000 3000)')
    bench.add_argument('--sweep-repairs', nargs='*', action='extend', type=float, metavar='A',
                       help='label_repair values of the sweep, at the run\'s fairness_weight '
                       '(default: 0.9 0.75 0.5 where weights are swept; '
                       'no value: none)')
    bench.add_argument('--merge', nargs='+', action='extend', metavar='DIR',
                       help='run nothing: combine the results.json of earlier runs (e.g. one '
                       'dataset each) into one table in --output')
    bench.add_argument('--gpu', action='store_true', help='train on a CUDA GPU if there is one')
    bench.add_argument('-o', '--output', default='benchmark_results', metavar='DIR',
                       help='where to write results.json, results.md, tradeoff.html '
                       '(default: %(default)s)')
    bench.add_argument('--overwrite', action='store_true',
                       help='replace the results already in --output (without it, a folder '
                       'that holds a results.json is refused before any work)')

    demo = add('demo', 'Fit, sample and report on the bundled Adult data, showing the '
               'commands it runs.', command_demo)
    demo.add_argument('--fast', action='store_true',
                      help='1,500 rows and 3 epochs: seconds, to check the installation')
    demo.add_argument('--num-rows', type=int, default=10000, metavar='N',
                      help='Adult rows to use without --fast (default: %(default)s)')
    demo.add_argument('--seed', type=int, default=0, help='seed (default: %(default)s)')
    demo.add_argument('-o', '--output', default='fairdistill_demo', metavar='DIR',
                      help='where the tables, synthesizer and report go (default: %(default)s)')
    return parser


def _dispatch(args):
    return args.function(args)
