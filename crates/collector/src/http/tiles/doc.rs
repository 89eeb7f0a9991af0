//! The tiles and dashboards part of the OpenAPI document (merged in `openapi.rs`). The tile
//! ids are the catalogue's, put into the document from [`TILES`] so that a new tile shows
//! up there by itself.

use serde_json::json;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::Modify;

use crate::store::tiles::trend::is_trend;
use crate::store::tiles::{ATTRIBUTION_TILE, TILES};

/// Tiles that take an attribution `model`.
const MODELLED: [&str; 2] = ["source-performance", ATTRIBUTION_TILE];

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(super::list_tiles, super::filter_values, super::model_stats, super::one_tile,
          super::tile_persons, super::list_dashboards, super::create_dashboard,
          super::get_dashboard, super::replace_dashboard, super::delete_dashboard),
    modifiers(&TileIds),
    tags((name = "dashboards", description = "Dashboard tiles (counts over a period) and \
          dashboards (named lists of tiles with default filters)"))
)]
pub(crate) struct TilesApi;

/// Puts the catalogue's tile ids into the document: the `{tile}` path parameter, and a
/// dashboard's tiles (where `selection-list` needs its `selection`).
struct TileIds;

impl TileIds {
    fn schema(value: serde_json::Value) -> RefOr<Schema> {
        serde_json::from_value(value).expect("a valid schema")
    }
}

impl Modify for TileIds {
    fn modify(&self, doc: &mut OpenApi) {
        let ids: Vec<&str> = TILES.iter().map(|t| t.id).collect();
        let others: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| *id != "selection-list" && !is_trend(id) && !MODELLED.contains(id))
            .collect();
        let trends: Vec<&str> = ids.iter().copied().filter(|id| is_trend(id)).collect();
        let mut models: Vec<serde_json::Value> = crate::attribution::Model::ALL
            .iter()
            .map(|m| json!(m.id()))
            .collect();
        models.push(serde_json::Value::Null);
        for item in doc.paths.paths.values_mut() {
            let Some(get) = item.get.as_mut() else {
                continue;
            };
            for parameter in get.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter {
                    if parameter.name == "tile" && parameter.parameter_in == ParameterIn::Path {
                        set_schema(
                            parameter,
                            Self::schema(json!({"type": "string", "enum": ids})),
                        );
                    }
                }
            }
        }
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        components.schemas.insert(
            "DashboardTile".to_owned(),
            Self::schema(json!({
                "description": "A tile on a dashboard, with its own parameters: \
                                `campaign` for `campaign-channel-split` (default: the campaign \
                                with most leads), `selection` (required) for `selection-list`, \
                                `bucket` and `by` for the trend tiles, `model` for \
                                `source-performance` and `model` and `by` for `attribution`.",
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "tile": {"type": "string", "enum": others},
                            "campaign": {"type": ["string", "null"]},
                            "selection": {"type": ["integer", "null"], "format": "int64"}
                        },
                        "required": ["tile"],
                        "additionalProperties": false
                    },
                    {
                        "type": "object",
                        "properties": {
                            "tile": {"type": "string", "enum": ["selection-list"]},
                            "campaign": {"type": ["string", "null"]},
                            "selection": {"type": "integer", "format": "int64"}
                        },
                        "required": ["tile", "selection"],
                        "additionalProperties": false
                    },
                    {
                        "type": "object",
                        "properties": {
                            "tile": {"type": "string", "enum": trends},
                            "campaign": {"type": ["string", "null"]},
                            "selection": {"type": ["integer", "null"], "format": "int64"},
                            "bucket": {"type": ["string", "null"], "enum": ["day", "week", "month", null]},
                            "by": {"type": ["string", "null"], "enum": ["lead_source", "channel", "all", null]}
                        },
                        "required": ["tile"],
                        "additionalProperties": false
                    },
                    {
                        "type": "object",
                        "properties": {
                            "tile": {"type": "string", "enum": ["source-performance"]},
                            "campaign": {"type": ["string", "null"]},
                            "selection": {"type": ["integer", "null"], "format": "int64"},
                            "model": {"type": ["string", "null"], "enum": models}
                        },
                        "required": ["tile"],
                        "additionalProperties": false
                    },
                    {
                        "type": "object",
                        "properties": {
                            "tile": {"type": "string", "enum": [ATTRIBUTION_TILE]},
                            "campaign": {"type": ["string", "null"]},
                            "selection": {"type": ["integer", "null"], "format": "int64"},
                            "model": {"type": ["string", "null"], "enum": models},
                            "by": {"type": ["string", "null"], "enum": ["source", "medium", "campaign", "channel", null]}
                        },
                        "required": ["tile"],
                        "additionalProperties": false
                    }
                ]
            })),
        );
    }
}

fn set_schema(parameter: &mut Parameter, schema: RefOr<Schema>) {
    parameter.schema = Some(schema);
}
