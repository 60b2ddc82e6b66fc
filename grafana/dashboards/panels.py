"""Panel factories with the dashboard's shared defaults, one per visualisation kind."""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import geomap, stat, table, timeseries
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DynamicConfigValue,
    Threshold,
    ThresholdsMode,
)
from grafana_foundation_sdk.models.geomap import MapCenterID, TooltipMode

from grafana.dashboards.sql_query import DATASOURCE, QueryFormat, Sql

# (value at which the colour starts, colour); the first step's value is ignored by Grafana.
Steps = tuple[tuple[float | None, str], ...]
GREEN_ONLY: Steps = ((None, "green"),)


def thresholds(steps: Steps) -> dashboard_builders.ThresholdsConfig:
    return (
        dashboard_builders.ThresholdsConfig()
        .mode(ThresholdsMode.ABSOLUTE)
        .steps([Threshold(value=value, color=color) for value, color in steps])
    )


def stat_panel(
    title: str,
    description: str,
    sql: str,
    *,
    unit: str = "short",
    steps: Steps = GREEN_ONLY,
    query_format: QueryFormat = "table",
    span: int = 6,
) -> stat.Panel:
    """A big number: the last value of each numeric column the query returns."""
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(Sql(sql, format=query_format))
        .unit(unit)
        .thresholds(thresholds(steps))
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .graph_mode(
            common.BigValueGraphMode.AREA
            if query_format == "time_series"
            else common.BigValueGraphMode.NONE
        )
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
        .height(4)
        .span(span)
    )


def timeseries_panel(
    title: str, description: str, sql: str, *, unit: str = "short", span: int = 12
) -> timeseries.Panel:
    """Lines over time; the query returns `time`, optionally a text series column, and values."""
    return (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(Sql(sql, format="time_series"))
        .unit(unit)
        .min(0)
        .line_width(2)
        .fill_opacity(10)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.LIST)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
        )
        .height(8)
        .span(span)
    )


def table_panel(
    title: str,
    description: str,
    sql: str,
    *,
    units: dict[str, str] | None = None,
    span: int = 12,
    height: int = 9,
    no_value: str | None = None,
) -> table.Panel:
    """Rows as the query orders them; `units` sets the unit of named columns; `no_value` is
    the text shown when the query returns no rows."""
    panel = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(Sql(sql, format="table"))
        .height(height)
        .span(span)
    )
    if no_value is not None:
        panel = panel.no_value(no_value)
    for column, unit in sorted((units or {}).items()):
        panel = panel.override_by_name(column, [DynamicConfigValue(id_val="unit", value=unit)])
    return panel


def marker_layer(
    name: str, latitude: str, longitude: str, colour: str
) -> common_builders.MapLayerOptions:
    """Points placed by two numeric columns of the query."""
    return (
        common_builders.MapLayerOptions()
        .type("markers")
        .name(name)
        .location(
            common_builders.FrameGeometrySource()
            .mode(common.FrameGeometrySourceMode.COORDS)
            .latitude(latitude)
            .longitude(longitude)
        )
        .config(
            {
                "showLegend": True,
                "style": {
                    "color": {"fixed": colour},
                    "opacity": 0.8,
                    "size": {"fixed": 6},
                    "symbol": {"fixed": "img/icons/marker/circle.svg", "mode": "fixed"},
                },
            }
        )
        .tooltip(True)
    )


def geomap_panel(
    title: str,
    description: str,
    sql: str,
    layers: Sequence[cogbuilder.Builder[common.MapLayerOptions]],
    *,
    span: int = 24,
) -> geomap.Panel:
    """A world map with one marker layer per pair of coordinate columns."""
    return (
        geomap.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(Sql(sql, format="table"))
        .view(geomap.MapViewConfig().id(MapCenterID.ZERO).lat(0).lon(0).zoom(1))
        .basemap(common_builders.MapLayerOptions().type("default").name("Basemap"))
        .layers(list(layers))
        .tooltip(geomap.TooltipOptions().mode(TooltipMode.DETAILS))
        .height(12)
        .span(span)
    )
