"""Explorer for section 6.3: move (β₀, β₁) of the simple vegetables model by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from statbook import regression
from statbook.livefigure import Scene, panels
from statbook.plotting import contour_negloglik, parameter_grid
from statbook.widgets import Explorer, Slider

GRID = 120
BETA0_AXIS = np.linspace(0.4, 2.6, GRID)
BETA1_AXIS = np.linspace(0.55, 1.25, GRID)
WIDE, PHONE = (8.5, 3.6), (4.25, 7.0)  # inches at 80 dpi: 680 and 340 px wide


class SimpleModel:
    """Sufficient statistics, MLE and −ℓ surface of sale ~ log(normalSale), computed once."""

    def __init__(self, data: pd.DataFrame):
        self.x = data["normalSale"].to_numpy(dtype=float)
        self.y = data["sale"].to_numpy()
        design = np.column_stack([np.ones_like(self.x), np.log(self.x)])
        self.stats = regression.suff_stats(design, self.y)
        self.fit = regression.fit_poisson(design, self.y, names=("Intercept", "log(normalSale)"))
        self.surface = regression.negloglik(parameter_grid(BETA0_AXIS, BETA1_AXIS), self.stats)


class SimpleModelScene(Scene):
    """Left: data and the line log μ = β₀ + β₁ log x; right: −ℓ(β₀, β₁) with β and β̂.

    Everything but the line at β, its deviance and the dot at β stays put.
    """

    def __init__(self, figure, layout, model: SimpleModel):
        super().__init__(figure)
        self.model = model
        left, right = panels(figure, layout, 2, bottom=0.55)
        log_x, log_y = np.log(model.x), np.log(model.y)
        left.scatter(log_x, log_y, s=6, alpha=0.35, color="tab:gray", label="stores")
        self.x_axis = np.array([log_x.min(), log_x.max()])
        self.line = self.live(left.plot([], [], color="tab:red", lw=2, label="log μ at β")[0])
        fitted = model.fit.coef[0] + model.fit.coef[1] * self.x_axis
        left.plot(self.x_axis, fitted, "k--", lw=1, label="at the MLE")
        left.set_xlabel("log(normalSale)")
        left.set_ylabel("log(sale)")
        left.legend(loc="upper left", fontsize="small")
        left.set(xlim=left.get_xlim(), ylim=left.get_ylim())  # fixed by the data
        self.title = self.live(left.set_title("", fontsize="medium"))
        contour_negloglik(
            right,
            BETA0_AXIS,
            BETA1_AXIS,
            model.surface,
            minimum=model.fit.coef,
            xlabel="β₀",
            ylabel="β₁",
            title="−ℓ(β₀, β₁) minus its minimum",
        )
        self.dot = self.live(right.plot([], [], "o", color="tab:red", ms=8, label="β")[0])
        right.legend(loc="upper right", fontsize="small", framealpha=0.9)
        right.set(xlim=BETA0_AXIS[[0, -1]], ylim=BETA1_AXIS[[0, -1]])

    def update(self, *, beta0: float, beta1: float) -> None:
        deviance = float(regression.deviance(np.array([beta0, beta1]), self.model.stats))
        self.line.set_data(self.x_axis, beta0 + beta1 * self.x_axis)
        self.title.set_text(
            f"deviance {deviance:,.0f}  (at the MLE {self.model.fit.deviance:,.0f})"
        )
        self.dot.set_data([beta0], [beta1])


def simple_model_explorer(data: pd.DataFrame) -> Explorer:
    """Sliders for β₀ and β₁ of log μ = β₀ + β₁ log(normalSale) on the vegetables data."""
    model = SimpleModel(data)

    return Explorer(
        lambda figure, layout: SimpleModelScene(figure, layout, model),
        [
            Slider(
                "beta0",
                "β₀",
                tuple(np.round(np.arange(0.4, 2.61, 0.05), 2)),
                1.5,
                (0.9, 1.2, 1.5, 1.8, 2.1),
                fmt="{:.2f}",
            ),
            Slider(
                "beta1",
                "β₁",
                tuple(np.round(np.arange(0.55, 1.251, 0.025), 3)),
                0.9,
                (0.75, 0.825, 0.9, 0.975, 1.05),
                fmt="{:.3f}",
            ),
        ],
        caption=(
            "The simple Poisson regression of sale on log(normalSale). First panel: log(sale) "
            "against log(normalSale) with the fitted line log μ = β₀ + β₁·log(normalSale) at "
            "the chosen β (red) and at the maximum-likelihood estimate (dashed); the title "
            "gives the deviance at β. Second panel: the "
            "negative log-likelihood over (β₀, β₁), with β (red dot) and the MLE (cross)."
        ),
        alt=(
            "First, a scatter of log sale against log normal sale with a straight red "
            "line whose level and slope follow the sliders. Second, long thin elliptical "
            "contours running diagonally, a cross at the minimum and a red dot at the sliders."
        ),
        figsize=WIDE,
        phone=PHONE,
    )
