//! Transition matrices estimated from a panel.
