"""Mutations of chunked rows, least squares, the command line and certified removal."""

from _mutation import Mutation as M

SCALEOUT_CERTIFIED_MUTATIONS = [
    # --- kernels ------------------------------------------------------------------------
    M(
        "chunked-gram-merge-no-shift",
        "skunlearn/utils/_shards.py",
        "xx = xxa + xxb + f * np.outer(dx, dx)",
        "xx = xxa + xxb",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    M(
        "chunked-old-chunk-kept",
        "skunlearn/utils/_chunked_rows.py",
        "        self._backend.erase(old)\n",
        "",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    M(
        "chunked-erase-keeps-X",
        "skunlearn/utils/_shards.py",
        "for buffer in (self.X, self.y, self.w):",
        "for buffer in (self.y, self.w):",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    M(
        "chunked-tail-not-dropped",
        "skunlearn/utils/_chunked_rows.py",
        "            return self._rows(True)\n",
        "            return self._rows(False)\n",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    M(
        "chunked-class-weights-ignored",
        "skunlearn/utils/_shards.py",
        "            w = w * np.asarray(scalar)[y]\n",
        "            pass\n",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    M(
        "chunked-ridge-gram-eigen-keeps-noise",
        "skunlearn/_solvers/_least_squares.py",
        "keep = s > max(n_rows, len(s)) * np.finfo(np.float64).eps * s.max(initial=0.0)",
        "keep = np.abs(s) > 0",
        ("tests/scaleout/test_disk_rows.py",),
    ),
    # --- command line -------------------------------------------------------------------
    M(
        "cli-forget-and-read-as-or",
        "skunlearn/_cli_forget.py",
        "mask &= _clause_mask(clause, table.columns)",
        "mask |= _clause_mask(clause, table.columns)",
        ("tests/project/test_cli.py",),
    ),
    M(
        "cli-forget-two-character-operators-unread",
        "skunlearn/_cli_forget.py",
        "(?P<op>==|!=|<=|>=|<|>)",
        "(?P<op>==|!=|<|>|<=|>=)",
        ("tests/project/test_cli.py",),
    ),
    # --- certified removal ----------------------------------------------------------------
    M(
        "certified-step-bound-too-small",
        "skunlearn/_certificate.py",
        "return gamma * spectral * np.sqrt(total)",
        "return 0.1 * gamma * spectral * np.sqrt(total)",
        ("tests/unlearning/test_certified.py",),
    ),
    M(
        "certified-stored-hessian-staleness-ignored",
        "skunlearn/_certificate.py",
        "((stale + change / 2.0) * change) ** 2",
        "((change / 2.0) * change) ** 2",
        ("tests/unlearning/test_certified.py",),
    ),
    M(
        "certified-noise-norm-shape",
        "skunlearn/_certificate.py",
        "norm = rng.gamma(k, scale / epsilon)",
        "norm = rng.gamma(k + 1, scale / epsilon)",
        ("tests/unlearning/test_certified.py",),
    ),
    M(
        "certified-one-step-not-accumulated",
        "skunlearn/unlearners/_certified.py",
        "return theta + step, float(rho * state.certificate.spent + bound)",
        "return theta + step, float(bound)",
        ("tests/unlearning/test_certified.py",),
    ),
    M(
        "certified-switch-not-refused",
        "skunlearn/linear_model/_certified.py",
        "_signature(unlearner) == _signature(state.unlearner):",
        "True:",
        ("tests/unlearning/test_certified.py",),
    ),
    M(
        "data-free-sigma-linear-in-capacity",
        "skunlearn/unlearners/_data_free.py",
        "sensitivity = 2.0 * lipschitz * gradient**2 / mu**3",
        "sensitivity = 2.0 * lipschitz * gradient / mu**3",
        ("tests/unlearning/test_data_free.py",),
    ),
    M(
        "data-free-hessian-not-downdated",
        "skunlearn/unlearners/_data_free.py",
        'hessian = extra["hessian"] - forget.loss_hessian(theta_hat)',
        'hessian = extra["hessian"]',
        ("tests/unlearning/test_data_free.py",),
    ),
]
