//! The tiles and dashboards part of the OpenAPI document (merged in `openapi.rs`). The tile
//! ids are the catalogue's, put into the document from [`TILES`] so that a new tile shows
//! up there by itself.

use serde_json::json;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::Modify;

use crate::store::tiles::trend::is_trend;
use crate::store::tiles::TILES;

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
            .filter(|id| *id != "selection-list" && !is_trend(id))
            .collect();
        let trends: Vec<&str> = ids.iter().copied().filter(|id| is_trend(id)).collect();
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
                                `bucket` and `by` for the trend tiles.",
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
                    }
                ]
            })),
        );
    }
}

fn set_schema(parameter: &mut Parameter, schema: RefOr<Schema>) {
    parameter.schema = Some(schema);
}
