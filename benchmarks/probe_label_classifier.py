"""Probe (not a product option): the benchmark with other settings of the gradient-boosting
classifier the label is drawn from (``synthesizers/_feature_labels.CLASSIFIER_OPTIONS``).

Usage (the JSON object is the classifier's keyword arguments; the rest is
``sdv-fairdistill benchmark``'s command line)::

    python benchmarks/probe_label_classifier.py '{"early_stopping": true}' -- benchmark -q \
        --datasets compas german --generators FairDistill --seeds 0 1 2 3 4 --no-sweep \
        --no-reference --metadata curated detected \
        -o benchmarks/results/feature_labels/early_stopping_cg

Results: benchmarks/results/stability/utility_probes.md.
"""

import json
import sys

from sdv_fairdistill.cli import main
from sdv_fairdistill.synthesizers import _feature_labels

if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[2] != '--':
        sys.exit(__doc__)
    _feature_labels.CLASSIFIER_OPTIONS.update(json.loads(sys.argv[1]))
    sys.exit(main(sys.argv[3:]))
