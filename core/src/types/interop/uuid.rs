//! `uuid::Uuid` ⇄ [`Uuid`](crate::types::uuid::Uuid).

use crate::types::uuid::Uuid;

impl From<::uuid::Uuid> for Uuid {
    fn from(u: ::uuid::Uuid) -> Self {
        Self(u.into_bytes())
    }
}

impl From<Uuid> for ::uuid::Uuid {
    fn from(u: Uuid) -> Self {
        ::uuid::Uuid::from_bytes(u.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes() {
        let u = ::uuid::Uuid::from_u128(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11);
        let ours = Uuid::from(u);
        assert_eq!(ours.0, *u.as_bytes());
        assert_eq!(::uuid::Uuid::from(ours), u);
    }
}
