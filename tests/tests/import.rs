//! Admin import (CSV and pasted WhatsApp lines), round-robin assignment, and CSV export,
//! on SQLite and Postgres.

use dialbook_core::Role;
use dialbook_tests::client::{device, new_lead, now};
use dialbook_tests::{StatusCode, TestBackend, TestServer, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    csv_import_reports_duplicates_and_bad_rows_by_row,
    pasted_lines_are_shared_round_robin,
    a_dry_run_stores_nothing,
    export_gives_a_spreadsheet_with_custom_columns,
    a_big_list_with_long_notes_is_imported_whole,
);

fn rows_with(report: &Value, status: &str) -> Vec<(u64, String)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == status)
        .map(|r| (r["row"].as_u64().unwrap(), r["message"].as_str().unwrap().to_owned()))
        .collect()
}

async fn csv_import_reports_duplicates_and_bad_rows_by_row(backend: TestBackend) {
    // Arrange: one lead already exists with 98000 00007.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let mut office = device(&server, &admin, "office");
    let existing = office.replica.create_lead(now(), new_lead(7, "Old Customer", None)).unwrap();
    office.sync().await.unwrap();
    let csv = "Name,Mobile,Car Model,Reg No\n\
               Ravi,98765 43210,Swift,KA01AB1234\n\
               Anita,+91 98000 00007,i20,\n\
               Sunil,12345,,\n\
               Ravi again,098765-43210,,\n\
               ,9123456789,,\n\
               Meena,91234 56780,Nexon,MH12XY9999\n";

    // Act
    let reply = server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "csv", "data": csv })).await;

    // Assert
    let report = reply.ok();
    assert_eq!((report["imported"].as_u64(), report["duplicates"].as_u64(), report["errors"].as_u64()), (Some(2), Some(2), Some(2)), "{report}");
    let dups = rows_with(report, "duplicate");
    assert_eq!(dups[0].0, 3);
    assert!(dups[0].1.contains(&format!("row 3: duplicate of lead {existing}")), "{}", dups[0].1);
    assert!(dups[1].1.starts_with("row 5: duplicate of row 2"), "{}", dups[1].1);
    let errors = rows_with(report, "error");
    assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec![4, 6]);
    assert!(errors[0].1.contains("not a valid phone number"), "{}", errors[0].1);
    assert!(errors[1].1.contains("no name"), "{}", errors[1].1);
    let found = server.api_as(&admin).get("/api/admin/leads?q=KA01AB").await;
    let lead = &found.ok()["leads"][0];
    assert_eq!(lead["name"], "Ravi");
    assert_eq!(lead["mobile"], "+919876543210");
    assert_eq!(lead["custom"]["car_model"], "Swift");
    assert!(lead["assignee"].is_null(), "unassigned pool by default");
    let by_number = server.api_as(&admin).get("/api/admin/leads?q=91234%2056780").await;
    assert_eq!(by_number.ok()["leads"][0]["name"], "Meena");
    let bad = server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "csv", "data": "Name,City\nX,Pune\n" })).await;
    assert_eq!(bad.assert_error(StatusCode::BAD_REQUEST), "bad_csv");
    assert!(bad.message().unwrap().contains("no mobile number column"), "{}", bad.text);
    server.stop().await;
}

async fn pasted_lines_are_shared_round_robin(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, ravi_pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (sita, _) = server.create_user(&admin.token, "sita", Role::Telecaller).await;
    let text = "Ravi Kumar 98765 43210 Swift\nPriya - +91 91234-56789 - i20\n\n09988776655 Suresh\nAnil 9876512345\nnothing useful here\n";

    // Act
    let reply = server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "text", "data": text, "assign": "round_robin", "source": "WhatsApp group" })).await;
    let mut phone = device(&server, &server.login("ravi", &ravi_pw, "phone").await, "phone");
    phone.sync().await.unwrap();

    // Assert
    let report = reply.ok();
    assert_eq!(report["imported"], 4, "{report}");
    let errors = rows_with(report, "error");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].1.starts_with("row 6:"), "{}", errors[0].1);
    let assignees: Vec<i64> = report["rows"].as_array().unwrap().iter().filter_map(|r| r["assignee"].as_i64()).collect();
    assert_eq!(assignees.iter().filter(|&&a| a == ravi.0).count(), 2);
    assert_eq!(assignees.iter().filter(|&&a| a == sita.0).count(), 2);
    let mine = phone.replica.leads();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|l| l.source == "WhatsApp group" && l.assignee == Some(ravi)));
    server.stop().await;
}

async fn a_dry_run_stores_nothing(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let reply = server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "text", "data": "Ravi 9876543210", "dry_run": true })).await;
    assert_eq!(reply.ok()["imported"], 1);
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 0);
    server.stop().await;
}

async fn export_gives_a_spreadsheet_with_custom_columns(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let csv = "name,mobile,car model,service type\nRavi \"RK\" Kumar,9876543210,Swift,\"Oil, filter\"\nSita,9123456789,,\n";
    server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "csv", "data": csv })).await.ok();

    // Act
    let reply = server.api_as(&admin).get("/api/admin/leads/export.csv").await;

    // Assert: it reads back as CSV with the custom fields as columns.
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let mut r = csv::Reader::from_reader(reply.text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert!(header.contains(&"car_model".into()) && header.contains(&"service_type".into()), "{header:?}");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("name")], "Ravi \"RK\" Kumar");
    assert_eq!(&rows[0][col("service_type")], "Oil, filter");
    assert_eq!(&rows[0][col("mobile")], "+919876543210");
    assert_eq!(&rows[1][col("status")], "new");
    server.stop().await;
}

async fn a_big_list_with_long_notes_is_imported_whole(backend: TestBackend) {
    // Arrange: 1,200 rows, each with a 300-character note: more operations than one push
    // may carry, so the server must store the list in several bounded batches.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let note = "Interested in the annual service package; asked for a callback on Saturday. ".repeat(4);
    let csv: String = std::iter::once("name,mobile,notes\n".to_owned())
        .chain((0..1_200).map(|n| format!("Customer {n},98{:08},{}\n", 10_000_000 + n, note.trim())))
        .collect();

    // Act
    let reply = server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "csv", "data": csv })).await;

    // Assert
    assert_eq!(reply.ok()["imported"], 1_200, "{}", reply.text);
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 1_200);
    server.stop().await;
}
