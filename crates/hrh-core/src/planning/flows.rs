//! The flows of a projected year, named once: each flow's index, column name, role in
//! the balance of the stock and description come from the one list below.
//!
//! Every year, region and cadre, `stock_start + Σ inflows - Σ outflows = stock_end`;
//! the other flows describe the year without entering that balance.

/// What a flow is in the balance of the stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The stock at the start of the year.
    Start,
    /// People who join the cadre in the region.
    In,
    /// People who leave the cadre in the region.
    Out,
    /// The stock at the end of the year.
    End,
    /// Not part of the balance (people in training, moves between grades).
    Other,
}

/// One flow: its column name, its role and what it counts.
#[derive(Clone, Copy, Debug)]
pub struct FlowInfo {
    pub name: &'static str,
    pub role: Role,
    pub doc: &'static str,
}

macro_rules! flows {
    ($($id:ident = $name:literal, $role:ident, $doc:literal;)*) => {
        flows!(@index 0usize; $($id)*);
        /// Every flow, in column order.
        pub const FLOWS: [FlowInfo; NF] = [
            $(FlowInfo { name: $name, role: Role::$role, doc: $doc }),*
        ];
    };
    (@index $i:expr; $id:ident $($rest:ident)*) => {
        #[doc = concat!("Column of the flow `", stringify!($id), "` (see `FLOWS`).")]
        pub const $id: usize = $i;
        flows!(@index $i + 1; $($rest)*);
    };
    (@index $i:expr;) => {
        /// Number of flows.
        pub const NF: usize = $i;
    };
}

flows! {
    F_START = "stock_start", Start, "staff in post at the start of the year";
    F_DEATHS = "deaths", Out, "deaths in service";
    F_ATTRITION = "attrition", Out, "leavers for any other reason (resignation, transfer, dismissal)";
    F_TRAINING = "to_training", Out, "staff who leave their post for a training programme";
    F_OUT = "out_migration", Out, "staff who move to another region";
    F_IN = "in_migration", In, "staff who arrive from another region";
    F_RETIRE = "retirements", Out, "staff who reach the retirement age";
    F_RETURNS = "returns", In, "trainees back in post at their new grade";
    F_ENTRANTS = "entrants", In, "new staff, including a policy's extra entrants";
    F_END = "stock_end", End, "staff in post at the end of the year";
    F_IN_TRAINING = "in_training", Other, "trainees away from post during the year";
    F_LOSSES = "training_losses", Other, "trainees whose course ended who did not come back";
    F_PROMOTIONS = "promotions", Other, "staff promoted between grades of the cadre (no change in its total)";
}

/// The flow names, in column order.
pub fn names() -> Vec<&'static str> {
    FLOWS.iter().map(|f| f.name).collect()
}

/// `stock_start + Σ inflows - Σ outflows - stock_end` of one row of flows (0 when the
/// year conserves people).
pub fn imbalance(row: &[f64]) -> f64 {
    FLOWS
        .iter()
        .zip(row)
        .fold(0.0, |acc, (f, &x)| match f.role {
            Role::Start | Role::In => acc + x,
            Role::Out | Role::End => acc - x,
            Role::Other => acc,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_list() {
        assert_eq!(NF, 13);
        assert_eq!(FLOWS[F_END].name, "stock_end");
        assert_eq!(FLOWS[F_PROMOTIONS].role, Role::Other);
        let mut names = names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NF);
        let mut row = [0.0; NF];
        row[F_START] = 10.0;
        row[F_ENTRANTS] = 2.0;
        row[F_DEATHS] = 1.0;
        row[F_END] = 11.0;
        row[F_IN_TRAINING] = 5.0;
        assert_eq!(imbalance(&row), 0.0);
    }
}
