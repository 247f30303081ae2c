"""Explorer for section 6.5: simulate grouped data, fit the random-effects model, compare."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from statbook import mixed
from statbook.widgets import Explorer, Slider

MARGINS = {"left": 0.06, "right": 0.99, "bottom": 0.14, "top": 0.88, "wspace": 0.28}
GROUP_SIZES = (3, 7)  # each group holds between 3 and 7 observations


def simulate_groups(n_groups: int, beta0: float, nu: float, sigma: float, seed: int = 1):
    """Group sizes drawn uniformly from 3..7, then data from the model, all from one seed.

    The same seed gives the same sizes, Z_i and ε_ij for every (β₀, ν, σ), so
    moving those sliders rescales one data set instead of drawing a new one.
    """
    rng = np.random.default_rng(seed)
    sizes = rng.integers(GROUP_SIZES[0], GROUP_SIZES[1] + 1, size=int(n_groups))
    return mixed.simulate(sizes, beta0, nu, sigma, rng)


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


def draw_mixed(fig, *, beta0: float, nu: float, sigma: float, n_groups: int, seed: int = 1):
    """Left: the simulated data and the fit; right: profile −ℓ in ν and truth against fit."""
    data = simulate_groups(n_groups, beta0, nu, sigma, seed)
    stats = mixed.suff_stats(data.y, data.group)
    result = mixed.fit_stats(stats)
    left, right, side = fig.subplots(1, 3, gridspec_kw={**MARGINS, "width_ratios": [1.6, 1, 0.55]})
    draw_grouped_data(left, data, result, beta0=beta0)
    low, high = left.get_ylim()
    left.set_ylim(low, high + 0.45 * (high - low))  # room for the legend above the data
    left.legend(loc="upper left", fontsize="x-small", ncol=2, framealpha=0.9)
    left.set_title(f"{int(n_groups)} groups, N = {data.y.size}", fontsize="medium")

    # a coarse look over a wide range, then zoom to where the profile is within 12 of its minimum
    wide = np.linspace(0, max(2.5 * result.nu, 1.5 * abs(nu), 0.5 * result.sigma), 40)
    close = wide[mixed.profile_negloglik_nu(wide, stats) + result.loglik < 12]
    step = wide[1] - wide[0]
    low = max(0.0, min(close.min() - step, abs(nu)))
    high = min(wide[-1], max(close.max() + step, abs(nu)))
    nu_axis = np.linspace(low, high, 40)
    profile = mixed.profile_negloglik_nu(nu_axis, stats) + result.loglik
    right.plot(nu_axis, profile, color="tab:blue")
    right.axvline(result.nu, color="tab:orange", lw=1.2, label="ν̂")
    right.axvline(abs(nu), color="tab:red", ls="--", lw=1.2, label="true |ν|")
    top = min(max(profile.max(), 1.0), 12.0)
    right.set_ylim(-0.05 * top, top)
    right.set_xlabel("ν")
    right.set_ylabel("profile −ℓ minus its minimum")
    table = (
        f"{'':4}{'truth':>7}{'fit':>7}\n"
        f"{'β₀':4}{beta0:7.2f}{result.beta0:7.2f}\n"
        f"{'|ν|':4}{abs(nu):7.2f}{result.nu:7.2f}\n"
        f"{'σ':4}{sigma:7.2f}{result.sigma:7.2f}\n"
        f"{'ICC':4}{float(mixed.icc(nu, sigma**2)):7.2f}{result.icc:7.2f}"
    )
    side.axis("off")
    side.text(
        -0.15,
        0.9,
        table,
        transform=side.transAxes,
        ha="left",
        va="top",
        family="monospace",
        fontsize="small",
    )
    right.legend(loc="upper left", fontsize="x-small")
    right.set_title("profile likelihood in ν", fontsize="medium")


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
        draw_mixed,
        [
            Slider("beta0", "true β₀", tuple(float(b) for b in range(-5, 6)), 0.0, (0.0, 5.0)),
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
            "(left: points, group means as bars, the predicted group levels as diamonds, the "
            "fitted and true levels as lines) and the profile negative log-likelihood in ν "
            "(middle), and the fitted values next to the truth (right)."
        ),
        alt=(
            "Left: scattered points in columns, one column per group, with short black bars at "
            "the group means and orange diamonds pulled from the bars towards the fitted "
            "horizontal level. Middle: a curve with its minimum at the estimate of ν. Right: a "
            "table of true and fitted β₀, ν, σ and intraclass correlation."
        ),
        figsize=(10.5, 4.0),
        table=fitted_table,
    )
