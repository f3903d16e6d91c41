//! The pool schema a request may declare: CreateUserPool `Schema` and AddCustomAttributes.
//!
//! Names follow the API Reference (SchemaAttributeType `Name`): a declared attribute `x` becomes
//! `custom:x`, or `dev:custom:x` when `DeveloperOnlyAttribute` is true (the DescribeUserPool
//! example in the API Reference shows `dev:custom:` names); standard attributes keep their
//! names and their data types.

use crate::domain::pool::{standard_schema, STANDARD_ATTRIBUTES};
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{
    NumberAttributeConstraintsType, SchemaAttributeType, StringAttributeConstraintsType,
};

/// The longest value a String attribute may hold (DG "User pool attributes": custom string
/// attributes hold up to 2048 characters).
pub const MAX_STRING_LENGTH: u64 = 2048;

/// The name a declared custom attribute gets in the schema.
pub fn custom_name(attr: &SchemaAttributeType) -> String {
    let name = attr.name.as_deref().unwrap_or_default();
    if attr.developer_only_attribute == Some(true) {
        format!("dev:custom:{name}")
    } else {
        format!("custom:{name}")
    }
}

/// The schema entry of a custom attribute requested as `attr`, with Cognito's defaults for what
/// was left out.
pub fn custom_attribute(attr: &SchemaAttributeType) -> ApiResult<SchemaAttributeType> {
    let Some(data_type) = attr.attribute_data_type.clone() else {
        // Cognito's text as moto's suite records it for AddCustomAttributes and CreateUserPool.
        return Err(ApiError::invalid_parameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ));
    };
    if attr.required == Some(true) {
        return Err(ApiError::invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let full = custom_name(attr);
    check_constraints(&full, &data_type, attr)?;
    Ok(SchemaAttributeType {
        name: Some(full),
        attribute_data_type: Some(data_type.clone()),
        developer_only_attribute: Some(attr.developer_only_attribute.unwrap_or(false)),
        mutable: Some(attr.mutable.unwrap_or(true)),
        required: Some(false),
        string_attribute_constraints: if data_type == "String" {
            attr.string_attribute_constraints
                .clone()
                .or(Some(StringAttributeConstraintsType {
                    min_length: None,
                    max_length: None,
                }))
        } else {
            None
        },
        number_attribute_constraints: if data_type == "Number" {
            attr.number_attribute_constraints
                .clone()
                .or(Some(NumberAttributeConstraintsType {
                    min_value: None,
                    max_value: None,
                }))
        } else {
            None
        },
    })
}

/// The schema of a new pool: the standard attributes plus the request's `Schema` entries.
pub fn build_schema(requested: &[SchemaAttributeType]) -> ApiResult<Vec<SchemaAttributeType>> {
    let mut schema = standard_schema();
    for attr in requested {
        let name = attr.name.clone().unwrap_or_default();
        if let Some(&(_, std_type)) = STANDARD_ATTRIBUTES.iter().find(|(n, _)| *n == name) {
            // A standard attribute may be made required/immutable or narrowed, never retyped or
            // made developer-only (text as moto's suite records Cognito's answer).
            let retyped = attr
                .attribute_data_type
                .as_deref()
                .is_some_and(|t| t != std_type);
            if retyped || attr.developer_only_attribute == Some(true) {
                return Err(ApiError::invalid_parameter(format!(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )));
            }
            check_constraints(&name, std_type, attr)?;
            let Some(std) = schema
                .iter_mut()
                .find(|a| a.name.as_deref() == Some(name.as_str()))
            else {
                continue;
            };
            if attr.required.is_some() {
                std.required = attr.required;
            }
            if attr.mutable.is_some() {
                std.mutable = attr.mutable;
            }
            if attr.string_attribute_constraints.is_some() && std_type == "String" {
                std.string_attribute_constraints = attr.string_attribute_constraints.clone();
            }
            if attr.number_attribute_constraints.is_some() && std_type == "Number" {
                std.number_attribute_constraints = attr.number_attribute_constraints.clone();
            }
            continue;
        }
        let custom = custom_attribute(attr)?;
        let full = custom.name.clone().unwrap_or_default();
        if schema
            .iter()
            .any(|a| a.name.as_deref() == Some(full.as_str()))
        {
            return Err(ApiError::invalid_parameter(format!(
                "Existing attribute already has name {full}."
            )));
        }
        schema.push(custom);
    }
    Ok(schema)
}

/// Checks the constraints declared for the attribute `name` of type `data_type`: numbers as
/// decimal strings, a String at most [`MAX_STRING_LENGTH`] long, min not above max.
/// [B: no AWS text is public for these refusals; the texts are the ones moto's suite asserts,
/// the exception is the one Cognito uses for every schema problem.]
pub fn check_constraints(name: &str, data_type: &str, attr: &SchemaAttributeType) -> ApiResult<()> {
    match data_type {
        "String" => {
            let Some(c) = &attr.string_attribute_constraints else {
                return Ok(());
            };
            let parse = |v: &Option<String>| -> ApiResult<Option<u64>> {
                v.as_deref()
                    .map(|s| {
                        s.parse::<u64>().map_err(|_| {
                            ApiError::invalid_parameter(format!(
                                "Invalid StringAttributeConstraints for schema attribute {name}"
                            ))
                        })
                    })
                    .transpose()
            };
            let (min, max) = (parse(&c.min_length)?, parse(&c.max_length)?);
            if min.max(max).is_some_and(|n| n > MAX_STRING_LENGTH) {
                return Err(ApiError::invalid_parameter(format!(
                    "user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
                )));
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    return Err(ApiError::invalid_parameter(format!(
                        "user.{name}: Max length cannot be less than min length."
                    )));
                }
            }
        }
        "Number" => {
            let Some(c) = &attr.number_attribute_constraints else {
                return Ok(());
            };
            let parse = |v: &Option<String>| -> ApiResult<Option<i64>> {
                v.as_deref()
                    .map(|s| {
                        s.parse::<i64>().map_err(|_| {
                            ApiError::invalid_parameter(format!(
                                "Invalid NumberAttributeConstraints for schema attribute {name}"
                            ))
                        })
                    })
                    .transpose()
            };
            if let (Some(min), Some(max)) = (parse(&c.min_value)?, parse(&c.max_value)?) {
                if min > max {
                    return Err(ApiError::invalid_parameter(format!(
                        "user.{name}: Max value cannot be less than min value."
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, ty: Option<&str>) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.into()),
            attribute_data_type: ty.map(str::to_string),
            ..Default::default()
        }
    }

    fn message(r: ApiResult<impl std::fmt::Debug>) -> String {
        r.expect_err("refused").message.unwrap_or_default()
    }

    #[test]
    fn developer_only_attributes_are_named_dev_custom() {
        let mut a = attr("secret", Some("String"));
        a.developer_only_attribute = Some(true);
        assert_eq!(
            custom_attribute(&a).unwrap().name.as_deref(),
            Some("dev:custom:secret")
        );
    }

    #[test]
    fn constraints_must_be_numbers_within_limits() {
        let mut a = attr("x", Some("String"));
        a.string_attribute_constraints = Some(StringAttributeConstraintsType {
            min_length: Some("invalid".into()),
            max_length: None,
        });
        assert_eq!(
            message(custom_attribute(&a)),
            "Invalid StringAttributeConstraints for schema attribute custom:x"
        );
        a.string_attribute_constraints = Some(StringAttributeConstraintsType {
            min_length: Some("3".into()),
            max_length: Some("2".into()),
        });
        assert_eq!(
            message(custom_attribute(&a)),
            "user.custom:x: Max length cannot be less than min length."
        );
        let mut n = attr("n", Some("Number"));
        n.number_attribute_constraints = Some(NumberAttributeConstraintsType {
            min_value: Some("-5".into()),
            max_value: Some("10".into()),
        });
        assert!(custom_attribute(&n).is_ok());
    }

    #[test]
    fn standard_attributes_keep_their_type() {
        assert_eq!(
            message(build_schema(&[attr("email", Some("Number"))])),
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"
        );
        assert!(build_schema(&[attr("email", None)]).is_ok());
    }
}
