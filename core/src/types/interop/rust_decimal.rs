//! `rust_decimal::Decimal` ⇄ [`Numeric`]: exact both ways; a numeric a `Decimal` cannot hold
//! (NaN, an infinity, more than 28 decimal places or 96 bits) is an error, never rounded.

use alloc::string::ToString;
use core::str::FromStr;

use ::rust_decimal::Decimal;

use crate::types::numeric::Numeric;
use crate::types::TypeError;

/// A numeric outside `Decimal`'s range or precision.
const DOES_NOT_FIT: TypeError = TypeError::new(
    "22003",
    "numeric value does not fit rust_decimal::Decimal",
    "numeric",
);

impl From<Decimal> for Numeric {
    fn from(d: Decimal) -> Self {
        // Decimal's text keeps its scale ("1.50"), which is the numeric's display scale.
        Numeric::from_str(&d.to_string()).unwrap_or(Numeric::ZERO)
    }
}

impl TryFrom<&Numeric> for Decimal {
    type Error = TypeError;

    fn try_from(n: &Numeric) -> Result<Self, TypeError> {
        if !n.is_finite() {
            return Err(DOES_NOT_FIT);
        }
        Decimal::from_str_exact(&n.to_string()).map_err(|_| DOES_NOT_FIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_both_ways() {
        for s in [
            "0",
            "1.50",
            "-12345.678900",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            let d = Decimal::from_str(s).unwrap();
            let n = Numeric::from(d);
            assert_eq!(n.to_string(), s);
            assert_eq!(Decimal::try_from(&n).unwrap().to_string(), s);
        }
        for s in [
            "NaN",
            "Infinity",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
        ] {
            assert!(
                Decimal::try_from(&Numeric::from_str(s).unwrap()).is_err(),
                "{s}"
            );
        }
    }
}
