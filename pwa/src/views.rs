//! The screens and their parts, one component per file. Props in, callbacks out; state
//! and IO come from the [`crate::app::Ctx`] context.
pub mod due;
pub mod first_sync;
pub mod help;
pub mod icons;
pub mod keys;
pub mod lead_card;
pub mod lead_detail;
pub mod lead_form;
pub mod lead_row;
pub mod leads;
pub mod login;
pub mod outcome_sheet;
pub mod queue;
pub mod shell;
pub mod snooze_sheet;
pub mod tab_bar;
pub mod toast;
pub mod top_bar;
pub mod update;
