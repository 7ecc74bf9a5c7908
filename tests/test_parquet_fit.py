"""Fitting on a table larger than memory: Parquet read in batches, rows streamed from shards."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from sdv.errors import InvalidDataError
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.core.rows import ShardWriter
from sdv_fairdistill.synthesizers._parquet_source import ParquetTable, choose_sample
from sdv_fairdistill.synthesizers._table_rows import default_epochs

ROWS = 900


def _sorted_table(rows=ROWS):
    """A table sorted by its sensitive column: a batch read in order holds one group."""
    rng = np.random.default_rng(0)
    sex = np.sort(rng.choice(['F', 'M'], rows, p=[0.3, 0.7]))
    return pd.DataFrame({
        'age': rng.integers(18, 70, rows),
        'job': rng.choice(['a', 'b', 'c'], rows),
        'sex': sex,
        'label': np.where(rng.random(rows) < np.where(sex == 'M', 0.6, 0.3), 'yes', 'no'),
    })


def _metadata():
    return Metadata.load_from_dict({'tables': {'people': {'columns': {
        'age': {'sdtype': 'numerical'}, 'job': {'sdtype': 'categorical'},
        'sex': {'sdtype': 'categorical'}, 'label': {'sdtype': 'categorical'},
    }}}})


def _folder(path, table, files=3):
    path.mkdir()
    for part, rows in enumerate(np.array_split(np.arange(len(table)), files)):
        table.iloc[rows].to_parquet(path / f'part{part}.parquet', index=False,
                                    row_group_size=100)
    return path


def test_shards_hold_every_row_once_and_mix_a_sorted_table(tmp_path):
    writer = ShardWriter(tmp_path, n_shards=4, seed=0)
    ids = np.arange(1000, dtype=np.float32)
    groups = (ids >= 500).astype(int)  # sorted: the first chunks hold group 0 only
    for chunk in np.array_split(np.arange(1000), 10):
        writer.write(ids[chunk, None], np.zeros((len(chunk), 0)), groups[chunk],
                     groups[chunk, None])
    rows = writer.finish(n_groups=2, column_sizes=[2])
    rows.encoder_condition = lambda y, s: y
    loaded = [rows.load(index) for index in range(len(rows.shards))]
    seen = torch.cat([shard.columns['x'][:, 0] for shard in loaded])
    assert sorted(seen.tolist()) == ids.tolist()
    for shard in loaded:  # each shard a random quarter of the table: both groups in it
        x, s = shard.columns['x'][:, 0], shard.columns['s']
        assert 150 < len(x) < 350
        assert torch.equal(s.argmax(dim=1), (x >= 500).long())
        assert 0.3 < s[:, 1].mean() < 0.7
    # An epoch is one pass's worth of batches, as in memory.
    assert sum(1 for _ in rows.batches(64, 'cpu')) == math.ceil(1000 / 64)


def test_choose_sample_gives_every_stratum_rows():
    strata = np.zeros(10_000, dtype=np.int32)
    strata[[17, 4_000, 9_999]] = 1  # 3 rows a uniform 100-row draw almost surely misses
    chosen = choose_sample(10_000, 100, seed=0, strata=strata, min_rows=50)
    assert {17, 4_000, 9_999} <= set(chosen.tolist())
    assert len(chosen) == 103 and np.all(np.diff(chosen) > 0)
    np.testing.assert_array_equal(choose_sample(10_000, 100, 0, strata, 50), chosen)
    assert len(choose_sample(50, 100, seed=0)) == 50  # a small table: every row


def test_default_training_length_stops_growing_with_the_rows():
    # 700 rows, 2 batches an epoch: 1,500 steps need 750 epochs.
    assert default_epochs(700, 500) == 750
    # 20,000 rows (40 batches an epoch): 60 epochs, 2,400 steps.
    assert default_epochs(20_000, 500) == 60
    # Adult (98 batches an epoch): 41 epochs, 4,018 steps, not 60 epochs (5,880 steps).
    assert default_epochs(48_842, 500) == 41
    # A million rows (2,000 batches an epoch): 4,000 steps, not 60 epochs of 2,000.
    assert default_epochs(1_000_000, 500) == 2
    assert default_epochs(10_000_000, 500) == 1


def _fit_from_folder(tmp_path, table):
    """A synthesizer fitted by ``fit_from_parquet`` on ``table`` written as three files, its
    encoders on a 200-row sample; and its work folder."""
    folder = _folder(tmp_path / 'people', table)
    work = tmp_path / 'work'
    work.mkdir()
    synthesizer = FairDistillSynthesizer(_metadata(), sensitive_columns='sex',
                                         target_column='label', seed=0, epochs=2,
                                         batch_size=100)
    synthesizer.fit_from_parquet(folder, sample_rows=200, batch_rows=120, workdir=work)
    return synthesizer, work


def test_fit_from_parquet_learns_every_row_of_a_sorted_folder(tmp_path):
    table = _sorted_table()
    synthesizer, work = _fit_from_folder(tmp_path, table)
    # The groups' prior counts every row, not the 200 of the sample.
    shares = table['sex'].value_counts(normalize=True)
    prior = dict(zip(synthesizer._groups['sex'], synthesizer._group_prior))
    assert prior == pytest.approx(shares.to_dict())
    losses = synthesizer.get_loss_values()
    assert list(losses.loc[losses['Stage'] == 'teacher', 'Epoch']) == [0, 1]
    sampled = synthesizer.sample(300)['people']
    assert list(sampled.columns) == list(table.columns)
    assert set(sampled['sex']) == {'F', 'M'} and set(sampled['label']) <= {'yes', 'no'}
    assert list(work.iterdir()) == []  # the shard files are deleted after the fit
    assert set(synthesizer.get_fairness_diagnostics()) >= {'label_gap', 'latent_leakage_auroc'}


def test_fit_from_parquet_refuses_what_it_cannot_read(tmp_path):
    synthesizer = FairDistillSynthesizer(_metadata(), sensitive_columns='sex',
                                         target_column='label')
    with pytest.raises(ValueError, match='No such file or folder'):
        synthesizer.fit_from_parquet(tmp_path / 'missing.parquet')
    _sorted_table().drop(columns='sex').to_parquet(tmp_path / 'nosex.parquet')
    with pytest.raises(ValueError, match=r"no column \['sex'\]"):
        synthesizer.fit_from_parquet(tmp_path / 'nosex.parquet')
    with pytest.raises(Exception, match='sample_rows'):
        synthesizer.fit_from_parquet(tmp_path / 'nosex.parquet', sample_rows=1)
    # Checked before the sample is read and encoded (it was tempfile's FileNotFoundError).
    with pytest.raises(ValueError, match="workdir '.*nowhere' is not a folder"):
        synthesizer.fit_from_parquet(tmp_path / 'nosex.parquet', workdir=tmp_path / 'nowhere')


def test_a_table_too_short_for_its_processes_names_the_most_it_can_use(tmp_path, monkeypatch):
    # Four processes for six rows: two got fewer than 2 and said only "The shards hold no
    # batch of two rows or more", the others a gloo "Connection closed by peer".
    from sdv_fairdistill.core import distributed

    _sorted_table().iloc[[0, 1, 2, -3, -2, -1]].to_parquet(tmp_path / 'six.parquet')
    monkeypatch.setattr(distributed, 'world_size', lambda: 4)
    synthesizer = FairDistillSynthesizer(_metadata(), sensitive_columns='sex', epochs=1)
    with pytest.raises(ValueError, match='6 rows, dealt out to 4 processes: each needs at '
                                         'least 2 to train on. Use at most 3 processes'):
        synthesizer.fit_from_parquet(tmp_path / 'six.parquet')


def test_metadata_detected_from_the_first_rows_is_refused_with_the_fix(tmp_path):
    """SDV's detected metadata records the rows' ranges and checks every later batch against
    them: the error says that the metadata came from part of the table and what to remove."""
    table = _sorted_table().assign(wage=np.linspace(10.0, 20.0, ROWS).round(2))
    path = tmp_path / 'people.parquet'
    table.to_parquet(path, index=False)

    def refusal_of(described_rows):
        synthesizer = FairDistillSynthesizer(
            Metadata.detect_from_dataframes({'people': described_rows}),
            sensitive_columns='sex', target_column='label', epochs=1)
        with pytest.raises(InvalidDataError) as refusal:
            synthesizer.fit_from_parquet(path, sample_rows=40)
        return refusal

    message = str(refusal_of(table.head(50)).value)
    assert "Out of range values found for numerical column 'wage'" in message
    assert message.count('If the metadata was detected from part of the table') == 1
    assert "remove 'range_min', 'range_max'" in message
    # Found in a later batch, not in the sample the fit starts from: said once too.
    synthesizer = FairDistillSynthesizer(
        Metadata.detect_from_dataframes({'people': table}), sensitive_columns='sex',
        target_column='label', epochs=1)
    sampled = set()
    synthesizer._fit = lambda processed: sampled.update(processed['wage'])  # the sample only
    synthesizer.fit_from_parquet(path, sample_rows=40)
    beyond = table.index[~table['wage'].isin(sampled)][0]
    table.loc[beyond, 'wage'] = 99.5
    table.to_parquet(path, index=False)
    refusal = refusal_of(table.drop(index=beyond))
    message = str(refusal.value)
    assert "Out of range values found for numerical column 'wage': [99.5]" in message
    assert message.count('If the metadata was detected from part of the table') == 1
    assert any(entry.name == '_process_rows' for entry in refusal.traceback)


def test_rows_of_a_group_the_encoders_never_saw_are_refused(tmp_path):
    table = _sorted_table(300)
    synthesizer = FairDistillSynthesizer(_metadata(), sensitive_columns='sex',
                                         target_column='label', epochs=1)
    synthesizer.fit({'people': table})
    unseen = table.head(5).assign(sex='X')
    with pytest.raises(InvalidDataError, match="sensitive group the encoders were not fitted"):
        synthesizer._encode_rows(synthesizer._process_rows(unseen))


def test_parquet_table_deals_rows_to_processes(tmp_path):
    table = _sorted_table(250).reset_index(names='row')
    table.to_parquet(tmp_path / 'one.parquet', index=False)
    parquet = ParquetTable(tmp_path / 'one.parquet', batch_rows=64)
    shares = [pd.concat(parquet.frames(every=2, offset=rank)) for rank in (0, 1)]
    assert sorted(shares[0]['row']) == list(range(0, 250, 2))
    assert sorted(shares[1]['row']) == list(range(1, 250, 2))


def test_parquet_folder_reads_as_pyarrow_reads_it(tmp_path):
    """Files whose integer widths differ read as pyarrow's dataset reads the folder: cast to
    the first file's schema."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    folder = tmp_path / 'parts'
    folder.mkdir()
    pq.write_table(pa.table({'a': pa.array([1, 2, 3], pa.int64()), 'b': ['x', 'y', 'z']}),
                   folder / 'part0.parquet', row_group_size=2)
    pq.write_table(pa.table({'a': pa.array([4, 5], pa.int32()), 'b': ['u', 'v']}),
                   folder / 'part1.parquet')
    pq.write_table(pa.table({'a': pa.array([6], pa.int64()), 'b': pa.array([None], pa.string())}),
                   folder / 'part2.parquet')
    expected = ds.dataset(str(folder), format='parquet').to_table().to_pandas()

    parquet = ParquetTable(folder, batch_rows=2)
    pd.testing.assert_frame_equal(pd.concat(parquet.frames(), ignore_index=True), expected)
    assert [len(frame) for frame in parquet.frames(columns=['a'])] == [2, 1, 2, 1]
    pd.testing.assert_frame_equal(parquet.read_rows(np.array([0, 3, 5])),
                                  expected.iloc[[0, 3, 5]].reset_index(drop=True))


def test_parquet_folder_of_files_written_apart_reads_as_one_table(tmp_path):
    """What pandas writes file by file: a number that is whole in one file and has decimals in
    another (read as decimals everywhere), a column of categories in one file (read as its
    text), and an empty file, whose text columns pandas writes with no type."""
    folder = tmp_path / 'parts'
    folder.mkdir()
    first = pd.DataFrame({'hours': [40, 38], 'job': ['a', 'b']})
    pd.DataFrame({'hours': [], 'job': []}).astype({'job': object}).to_parquet(
        folder / 'part0.parquet', index=False)
    first.to_parquet(folder / 'part1.parquet', index=False)
    pd.DataFrame({'hours': [12.5], 'job': pd.Categorical(['c'])}).to_parquet(
        folder / 'part2.parquet', index=False)

    # A filtered frame: pandas saves its index as a column of its own.
    filtered = pd.DataFrame({'hours': [1.5, 2.5], 'job': ['d', 'e']}).iloc[1:]
    filtered.to_parquet(folder / 'part3.parquet')

    table = pd.concat(ParquetTable(folder).frames(), ignore_index=True)
    expected = pd.DataFrame({'hours': [40.0, 38.0, 12.5, 2.5], 'job': ['a', 'b', 'c', 'e']})
    pd.testing.assert_frame_equal(table, expected)


def test_an_empty_file_lacking_a_column_gives_no_batch(tmp_path):
    # Its scanner gave a batch of 0 rows, which reached the encoder's mixture models
    # ("Found array with 0 sample(s)") in a one-process fit.
    folder = tmp_path / 'parts'
    folder.mkdir()
    pd.DataFrame({'hours': [40.0, 38.0], 'job': ['a', 'b']}).to_parquet(folder / 'part0.parquet')
    pd.DataFrame({'job': pd.Series([], dtype=object)}).to_parquet(folder / 'part1.parquet')
    pd.DataFrame({'hours': [12.5], 'job': ['c']}).to_parquet(folder / 'part2.parquet')
    frames = list(ParquetTable(folder).frames())
    assert [len(frame) for frame in frames] == [2, 1]


def test_parquet_folder_whose_files_disagree_is_refused_naming_file_and_column(tmp_path):
    # Read as they are, the file without 'edu' would give its rows invented missing values,
    # and text beside numbers would fail inside pyarrow.
    lacking = tmp_path / 'lacking'
    lacking.mkdir()
    pd.DataFrame({'edu': ['ba'], 'sex': ['F']}).to_parquet(lacking / 'part0.parquet')
    pd.DataFrame({'sex': ['M']}).to_parquet(lacking / 'part1.parquet')
    with pytest.raises(ValueError, match=r"'part1.parquet' does not have the columns of "
                                         r"'part0.parquet'; it lacks \['edu'\]"):
        ParquetTable(lacking)
    mixed = tmp_path / 'mixed'
    mixed.mkdir()
    pd.DataFrame({'income': [0, 1]}).to_parquet(mixed / 'part0.parquet')
    pd.DataFrame({'income': ['0', '1']}).to_parquet(mixed / 'part1.parquet')
    with pytest.raises(ValueError, match="Column 'income' has types that do not fit one column: "
                                         "int64 in 'part0.parquet', string in 'part1.parquet'"):
        FairDistillSynthesizer(_metadata(), sensitive_columns='sex').fit_from_parquet(mixed)


def test_fit_from_parquet_keeps_the_missing_group_at_its_share(tmp_path):
    """A missing sensitive value, read in batches, is one group (one stratum, however many
    batches hold it), counted over every row."""
    table = _sorted_table()
    rng = np.random.default_rng(1)
    table['sex'] = table['sex'].where(rng.random(len(table)) >= 0.1)  # about 90 missing
    strata_table = ParquetTable(_folder(tmp_path / 'strata', table))
    _, strata = strata_table.strata(['sex'])
    # Expected from pandas alone: the missing rows form one stratum of their own.
    assert len(np.unique(strata)) == 3
    assert len(np.unique(strata[table['sex'].isna().to_numpy()])) == 1
    with pytest.warns(UserWarning, match="Sensitive column 'sex' has .* missing values"):
        synthesizer, _ = _fit_from_folder(tmp_path, table)
    prior = {('(missing)' if pd.isna(g) else g): p
             for g, p in zip(synthesizer._groups['sex'], synthesizer._group_prior)}
    expected = table['sex'].fillna('(missing)').value_counts(normalize=True).to_dict()
    assert prior == pytest.approx(expected)
    sampled = synthesizer.sample(2000)['people']
    assert sampled['sex'].isna().mean() == pytest.approx(table['sex'].isna().mean(), abs=0.04)


def test_a_list_of_parquet_files_reads_as_one_table_in_the_order_given(tmp_path):
    # A list of files was a pathlib TypeError ("expected str, bytes or os.PathLike").
    first = pd.DataFrame({'hours': [40, 38], 'job': ['a', 'b']})
    second = pd.DataFrame({'hours': [12.5], 'job': ['c']})
    first.to_parquet(tmp_path / 'z.parquet', index=False)
    second.to_parquet(tmp_path / 'a.parquet', index=False)
    table = pd.concat(ParquetTable([tmp_path / 'z.parquet', str(tmp_path / 'a.parquet')])
                      .frames(), ignore_index=True)
    expected = pd.DataFrame({'hours': [40.0, 38.0, 12.5], 'job': ['a', 'b', 'c']})
    pd.testing.assert_frame_equal(table, expected)

    with pytest.raises(ValueError, match='list of Parquet files is empty'):
        ParquetTable([])
    with pytest.raises(ValueError, match=r"z.parquet' is in the list of Parquet files twice"):
        ParquetTable([tmp_path / 'z.parquet', tmp_path / 'a.parquet', tmp_path / 'z.parquet'])
    with pytest.raises(ValueError, match='is a folder: a list holds files'):
        ParquetTable([tmp_path / 'z.parquet', tmp_path])
    with pytest.raises(ValueError, match="missing.parquet' in the list .* is no such file"):
        ParquetTable([tmp_path / 'missing.parquet'])
    with pytest.raises(ValueError, match='holds paths .*, not None'):
        ParquetTable([tmp_path / 'z.parquet', None])  # pathlib's TypeError before
    # Files of one base name in two folders are named by their whole paths.
    for year, frame in (('2024', first), ('2025', second.drop(columns='job'))):
        (tmp_path / year).mkdir()
        frame.to_parquet(tmp_path / year / 'part-0.parquet', index=False)
    with pytest.raises(ValueError, match=r"'.*2025/part-0.parquet' does not have the columns of "
                                         r"'.*2024/part-0.parquet'; it lacks \['job'\]"):
        ParquetTable([tmp_path / '2024' / 'part-0.parquet', tmp_path / '2025' / 'part-0.parquet'])


def test_fit_from_parquet_takes_a_list_of_files(tmp_path):
    table = _sorted_table()
    paths = []
    for part, rows in enumerate(np.array_split(np.arange(len(table)), 2)):
        paths.append(tmp_path / f'part{part}.parquet')
        table.iloc[rows].to_parquet(paths[-1], index=False)
    synthesizer = FairDistillSynthesizer(_metadata(), sensitive_columns='sex',
                                         target_column='label', epochs=1)
    synthesizer.fit_from_parquet(paths, sample_rows=200)
    prior = dict(zip(synthesizer._groups['sex'], synthesizer._group_prior))
    assert prior == pytest.approx(table['sex'].value_counts(normalize=True).to_dict())
    assert list(synthesizer.sample(20)['people'].columns) == list(table.columns)
