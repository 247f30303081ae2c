"""Explorer for section 6.5: simulate grouped data, fit the random-effects model, compare."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from statbook import mixed
from statbook.livefigure import Scene, panels, snap_up
from statbook.widgets import Explorer, Slider

# Inches of margin: wide, the table and the legend right of the panels; phone, under them.
MARGINS = {False: {"right": 2.45, "bottom": 0.5}, True: {"right": 0.15, "bottom": 2.25}}
GROUP_SIZES = (3, 7)  # each group holds between 3 and 7 observations
BETA0_VALUES = tuple(float(b) for b in range(-5, 6))
SPREAD_STEPS = (1, 2, 5)  # the data window's margins snap to these (× 10^k)
# Golden-section steps for the profile: 0.618⁴⁸ ≈ 1e-10 of the search interval in log σ²,
# and −ℓ is flat to second order at its minimum, so the profile is exact to double precision.
PROFILE_ITERATIONS = 48
PROFILE_TOP = 12.0  # the profile panel shows −ℓ up to this far above its minimum


def simulate_groups(n_groups: int, beta0: float, nu: float, sigma: float, seed: int = 1):
    """Group sizes drawn uniformly from 3..7, then data from the model, all from one seed.

    The same seed gives the same sizes, Z_i and ε_ij for every (β₀, ν, σ), so
    moving those sliders rescales one data set instead of drawing a new one.
    """
    rng = np.random.default_rng(seed)
    sizes = rng.integers(GROUP_SIZES[0], GROUP_SIZES[1] + 1, size=int(n_groups))
    return mixed.simulate(sizes, beta0, nu, sigma=sigma, rng=rng)


def draw_grouped_data(ax, data, result=None, *, beta0=None, max_jitter=0.25, seed=2) -> None:
    """Points per group (jittered), group means (bars), the fitted level and the true level."""
    rng = np.random.default_rng(seed)
    n_groups = int(data.group.max()) + 1
    x = data.group + rng.uniform(-max_jitter, max_jitter, size=data.y.size)
    ax.plot(x, data.y, ".", color="tab:blue", alpha=0.5, ms=4, label="observations")
    means = np.bincount(data.group, weights=data.y) / np.bincount(data.group)
    ax.hlines(
        means,
        np.arange(n_groups) - 0.35,
        np.arange(n_groups) + 0.35,
        color="black",
        lw=1.5,
        label="group means",
    )
    if result is not None:
        ax.plot(
            np.arange(n_groups),
            result.beta0 + result.group_effects,
            "D",
            color="tab:orange",
            ms=3.5,
            label="predicted β̂₀ + ν̂ E(Zᵢ | y)",
        )
        ax.axhline(result.beta0, color="tab:orange", lw=1.2, label="fitted level β̂₀")
    if beta0 is not None:
        ax.axhline(beta0, color="tab:red", ls="--", lw=1.2, label="true level β₀")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("group i")
    ax.set_ylabel("y")


class MixedScene(Scene):
    """Left: the simulated data and the fit; right: profile −ℓ in ν and truth against fit.

    The data window and the ν-window end at round numbers (see ``snap_up``), so
    the axes move only now and then while a slider moves.
    """

    def __init__(self, figure, layout):
        super().__init__(figure)
        stacked = layout.stacked
        ratios = None if stacked else [1.6, 1]
        left, right = panels(figure, layout, 2, ratios=ratios, top=0.4, **MARGINS[stacked])
        self.left, self.right = left, right
        self.points = self.live(
            left.plot([], [], ".", color="tab:blue", alpha=0.5, ms=4, label="observations")[0]
        )
        self.means = self.live(left.plot([], [], color="black", lw=1.5, label="group means")[0])
        self.predicted = self.live(
            left.plot([], [], "D", color="tab:orange", ms=3.5, label="predicted β̂₀ + ν̂ E(Zᵢ | y)")[
                0
            ]
        )
        self.fitted_level = self.live(
            left.axhline(0, color="tab:orange", lw=1.2, label="fitted level β̂₀")
        )
        self.true_level = self.live(
            left.axhline(0, color="tab:red", ls="--", lw=1.2, label="true level β₀")
        )
        left.xaxis.set_major_locator(MaxNLocator(integer=True))
        left.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        left.set_xlabel("group i")
        left.set_ylabel("y")
        self.left_title = self.live(left.set_title("", fontsize="medium"))

        self.profile = self.live(right.plot([], [], color="tab:blue")[0])
        self.nu_hat = self.live(right.axvline(0, color="black", ls="-.", lw=1.2, label="ν̂"))
        self.true_nu = self.live(
            right.axvline(0, color="tab:red", ls="--", lw=1.2, label="true |ν|")
        )
        right.set_xlabel("ν")
        # A fixed scale of PROFILE_TOP units of −ℓ (the ν-window ends where the profile
        # reaches it): how sharply the data pin ν down reads off the steepness of the curve.
        right.set_ylim(-0.05 * PROFILE_TOP, PROFILE_TOP)
        right.set_ylabel("profile −ℓ minus its minimum")
        right.set_title("profile likelihood in ν", fontsize="medium")
        # One legend for both panels, under the table (wide) or beside it (phone): outside
        # the panels, it is drawn once, not each time a slider moves their axes.  Figure
        # coordinates from inches: (x, y) inches from the figure's lower left corner.
        width, height = layout.figsize
        legend_at, table_at = (
            ((6.15, 0.3), (6.2, 3.25)) if not stacked else ((0.0, 0.05), (2.75, 1.85))
        )
        handles = [
            self.points,
            self.means,
            self.predicted,
            self.fitted_level,
            self.true_level,
            self.nu_hat,
            self.true_nu,
        ]
        figure.legend(
            handles,
            [h.get_label() for h in handles],
            loc="lower left",
            bbox_to_anchor=(legend_at[0] / width, legend_at[1] / height),
            fontsize="small",
            frameon=False,
        )
        self.table = self.live(
            figure.text(
                table_at[0] / width,
                table_at[1] / height,
                "",
                ha="left",
                va="top",
                family="monospace",
                fontsize="small",
            )
        )

    def update(self, *, beta0: float, nu: float, sigma: float, n_groups: int, seed: int = 1):
        data = simulate_groups(n_groups, beta0, nu, sigma, seed)
        stats = mixed.suff_stats(data.y, data.group)
        result = mixed.fit_stats(stats)
        self._draw_data(data, result, beta0, nu, sigma)
        self._draw_profile(stats, result, nu)
        self.table.set_text(
            f"{'':4}{'truth':>7}{'fit':>7}\n"
            f"{'β₀':4}{beta0:7.2f}{result.beta0:7.2f}\n"
            f"{'|ν|':4}{abs(nu):7.2f}{result.nu:7.2f}\n"
            f"{'σ':4}{sigma:7.2f}{result.sigma:7.2f}\n"
            f"{'ICC':4}{float(mixed.icc(nu, sigma**2)):7.2f}{result.icc:7.2f}"
        )

    def _draw_data(self, data, result, beta0, nu, sigma, max_jitter: float = 0.25) -> None:
        """As :func:`draw_grouped_data`, on artists kept from frame to frame."""
        n_groups = int(data.group.max()) + 1
        jitter = np.random.default_rng(2).uniform(-max_jitter, max_jitter, size=data.y.size)
        self.points.set_data(data.group + jitter, data.y)
        means = np.bincount(data.group, weights=data.y) / np.bincount(data.group)
        groups = np.arange(n_groups)
        # one line with a break (NaN) after each bar: group i's mean over i ± 0.35
        bars_x = np.column_stack([groups - 0.35, groups + 0.35, np.full(n_groups, np.nan)])
        bars_y = np.column_stack([means, means, np.full(n_groups, np.nan)])
        self.means.set_data(bars_x.ravel(), bars_y.ravel())
        self.predicted.set_data(groups, result.beta0 + result.group_effects)
        self.fitted_level.set_ydata([result.beta0] * 2)
        self.true_level.set_ydata([beta0] * 2)
        # The y-window holds the data for every β₀ the slider offers (the same seed gives
        # the same y − β₀), so moving β₀ moves the data, not the axis: the slider's β₀ range
        # widened by the true spread 3.5·√(ν² + σ²), or by as far as y − β₀ reaches where
        # that is further, snapped up to 1, 2 or 5 × 10^k.
        spread = 3.5 * np.hypot(nu, sigma)
        below = snap_up(max(beta0 - data.y.min(), spread, 0.1), steps=SPREAD_STEPS)
        above = snap_up(max(data.y.max() - beta0, spread, 0.1), steps=SPREAD_STEPS)
        low, top = BETA0_VALUES[0] - below, BETA0_VALUES[-1] + above
        self.left.set(xlim=(-0.6, snap_up(n_groups) - 0.4), ylim=(low, top))
        self.left_title.set_text(f"{int(n_groups)} groups, N = {data.y.size}")

    def _draw_profile(self, stats, result, nu: float) -> None:
        """Profile −ℓ in ν over a window that holds ν̂, |ν| and where the profile is below
        PROFILE_TOP."""
        wide = np.linspace(0, max(2.5 * result.nu, 1.5 * abs(nu), 0.5 * result.sigma), 40)
        close = wide[
            mixed.profile_negloglik_nu(wide, stats, iterations=PROFILE_ITERATIONS) + result.loglik
            < PROFILE_TOP
        ]
        step = wide[1] - wide[0]
        high = snap_up(min(wide[-1], max(close.max() + step, abs(nu))), steps=SPREAD_STEPS)
        nu_axis = np.linspace(0, high, 40)
        profile = (
            mixed.profile_negloglik_nu(nu_axis, stats, iterations=PROFILE_ITERATIONS)
            + result.loglik
        )
        self.profile.set_data(nu_axis, profile)
        self.nu_hat.set_xdata([result.nu] * 2)
        self.true_nu.set_xdata([abs(nu)] * 2)
        self.right.set(xlim=(0, high))


def fitted_table(*, beta0: float, nu: float, sigma: float, n_groups: int, seed: int = 1):
    """The figure's right-hand table as text rows: true and fitted β₀, |ν|, σ and the ICC."""
    data = simulate_groups(n_groups, beta0, nu, sigma, seed)
    result = mixed.fit_stats(mixed.suff_stats(data.y, data.group))
    truth = (beta0, abs(nu), sigma, float(mixed.icc(nu, sigma**2)))
    fit = (result.beta0, result.nu, result.sigma, result.icc)
    names = ("β₀", "|ν|", "σ", "ICC")
    return [("", "truth", "fit")] + [
        (name, f"{t:.2f}", f"{f:.2f}") for name, t, f in zip(names, truth, fit, strict=True)
    ]


def mixed_explorer() -> Explorer:
    """Sliders for the true β₀, ν, σ and the number of groups; data, fit and ICC redraw."""
    return Explorer(
        MixedScene,
        [
            Slider("beta0", "true β₀", BETA0_VALUES, 0.0, (0.0, 5.0)),
            Slider(
                "nu",
                "true ν",
                (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0),
                1.0,
                (0.0, 1.0, 3.0),
            ),
            Slider(
                "sigma", "true σ", (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0), 1.0, (0.5, 1.0, 2.0)
            ),
            Slider(
                "n_groups",
                "number of groups n",
                (2, 3, 5, 10, 20, 50, 100, 200),
                10,
                (10, 100),
                fmt="{:d}",
            ),
        ],
        caption=(
            "Data simulated from Yᵢⱼ = β₀ + ν Zᵢ + εᵢⱼ with 3 to 7 observations per group "
            "(first panel: points, group means as bars, the predicted group levels as diamonds, "
            "the fitted and true levels as lines), the profile negative log-likelihood in ν "
            "(second panel), and the fitted values next to the truth (the table)."
        ),
        alt=(
            "First: scattered points in columns, one column per group, with short black bars at "
            "the group means and orange diamonds pulled from the bars towards the fitted "
            "horizontal level. Second: a curve with its minimum at the estimate of ν. Then a "
            "table of true and fitted β₀, ν, σ and intraclass correlation."
        ),
        figsize=(8.5, 3.7),  # printed 3 in tall: two panel frames and their tables a page
        phone=(4.25, 7.4),
        table=fitted_table,
    )
