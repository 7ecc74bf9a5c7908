"""Hook specifications: what a plugin of sdv_fairdistill can provide.

A plugin is any module or object with functions decorated by ``hookimpl``. Third-party
plugins are found through the ``sdv_fairdistill`` entry-point group; the built-in adapters
are registered exactly the same way (see ``manager.py``).
"""

import pluggy

PROJECT_NAME = 'sdv_fairdistill'

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_adapters(register):
    """Register data adapters.

    Call ``register(kind, adapter_class)`` once per adapter, where ``kind`` is a short name
    (``'tabular'``, ``'image'``) and ``adapter_class`` subclasses
    ``sdv_fairdistill.adapters.base.DataAdapter``: it builds the encoders, the feature head
    of the shared decoder and the feature losses for one kind of data, so that the
    teacher-student core trains, distills and samples any kind unchanged.
    """
