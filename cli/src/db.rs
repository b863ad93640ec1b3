//! The SQLite log of checked files (`--db`): table `files`, one row per file content and
//! element settings (per check for a URI), with the [`FIELDS`] columns; table `reports`, the
//! element's report messages of each file when asked for. A file's row and its reports are
//! written in one transaction.

use std::path::Path;
use std::time::Duration;

use gstsharpmeter::messages::{REPORT_FIELDS, Report};
use gstsharpmeter::schema::FieldType;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params_from_iter};
use serde_json::Value;

use crate::record::{FIELDS, Record, Sql as SqlType};

pub struct Db {
    conn: Connection,
}

/// How long a write waits for another writer's lock by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

fn err(path: &Path, e: rusqlite::Error) -> String {
    format!("{}: {e}", path.display())
}

/// A JSON value as an SQL value of `ty`.
fn to_sql(v: &Value, ty: SqlType) -> Sql {
    match (v, ty) {
        (Value::Null, _) => Sql::Null,
        (Value::Bool(b), _) => Sql::Integer(*b as i64),
        (Value::Number(n), SqlType::Integer) => n
            .as_i64()
            .map_or_else(|| Sql::Real(n.as_f64().unwrap_or(0.0)), Sql::Integer),
        (Value::Number(n), _) => Sql::Real(n.as_f64().unwrap_or(0.0)),
        (Value::String(s), _) => Sql::Text(s.clone()),
        (v, _) => Sql::Text(v.to_string()),
    }
}

/// An SQL value read from a column of `ty` as JSON.
fn from_sql(v: Sql, ty: SqlType) -> Value {
    match v {
        Sql::Null => Value::Null,
        Sql::Integer(i) => Value::from(i),
        Sql::Real(f) => Value::from(f),
        Sql::Text(s) if ty == SqlType::Text && s.starts_with('{') => {
            serde_json::from_str(&s).unwrap_or(Value::String(s))
        }
        Sql::Text(s) => Value::String(s),
        Sql::Blob(_) => Value::Null,
    }
}

/// The record of a row selected with [`column_list`]; None when a value does not fit.
fn record_of_row(row: &rusqlite::Row) -> rusqlite::Result<Option<Record>> {
    let values: Vec<Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| row.get::<_, Sql>(i).map(|v| from_sql(v, f.sql)))
        .collect::<Result<_, _>>()?;
    Ok(Record::from_values(&values))
}

fn column_list() -> String {
    FIELDS
        .iter()
        .map(|f| format!("\"{}\"", f.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Report column name: the message field with `-` as `_`.
fn report_column(name: &str) -> String {
    name.replace('-', "_")
}

impl Db {
    /// Opens or creates the database at `path` for writing; a write waits up to `wait` for
    /// another writer.
    pub fn open(path: &Path, wait: Duration) -> Result<Db, String> {
        let conn = Connection::open(path).map_err(|e| err(path, e))?;
        conn.busy_timeout(wait).map_err(|e| err(path, e))?;
        let columns: Vec<String> = FIELDS
            .iter()
            .map(|f| format!("\"{}\" {}", f.name, f.sql.name()))
            .collect();
        let reports: Vec<String> = REPORT_FIELDS
            .iter()
            .map(|f| format!("\"{}\"", report_column(f.name)))
            .collect();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS files (
                 id INTEGER PRIMARY KEY,
                 settings TEXT NOT NULL,
                 element_version TEXT NOT NULL,
                 checked INTEGER NOT NULL,
                 {},
                 UNIQUE (hash, settings));
             CREATE TABLE IF NOT EXISTS reports (
                 file_id INTEGER NOT NULL REFERENCES files(id),
                 {});
             CREATE INDEX IF NOT EXISTS files_created ON files(created);",
            columns.join(",\n                 "),
            reports.join(", ")
        ))
        .map_err(|e| err(path, e))?;
        // Columns that databases of earlier versions lack.
        let have: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('files')")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| err(path, e))?;
        for f in FIELDS.iter().filter(|f| !have.iter().any(|h| h == f.name)) {
            conn.execute_batch(&format!(
                "ALTER TABLE files ADD COLUMN \"{}\" {}",
                f.name,
                f.sql.name()
            ))
            .map_err(|e| err(path, e))?;
        }
        Ok(Db { conn })
    }

    /// Opens the existing database at `path` for reading only: nothing is created or
    /// written, so a database on a read-only mount can be read.
    pub fn open_read_only(path: &Path) -> Result<Db, String> {
        if !path.is_file() {
            return Err(format!("{}: no such database", path.display()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| err(path, e))?;
        let readable =
            |c: &Connection| c.query_row("SELECT COUNT(*) FROM files", [], |r| r.get::<_, i64>(0));
        match readable(&conn) {
            Ok(_) => Ok(Db { conn }),
            // A WAL database whose -shm file cannot be made (read-only media) opens as an
            // immutable file.
            Err(first) => {
                let uri = format!(
                    "file:{}?immutable=1",
                    path.display()
                        .to_string()
                        .replace('?', "%3f")
                        .replace('#', "%23")
                );
                let conn = Connection::open_with_flags(&uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(|e| err(path, e))?;
                readable(&conn).map_err(|_| err(path, first))?;
                Ok(Db { conn })
            }
        }
    }

    /// The record of a file with this content and these settings, if checked before.
    pub fn find(&self, hash: &str, settings: &str) -> Result<Option<Record>, String> {
        let sql = format!(
            "SELECT {} FROM files WHERE hash = ?1 AND settings = ?2",
            column_list()
        );
        self.conn
            .query_row(&sql, [hash, settings], record_of_row)
            .optional()
            .map(Option::flatten)
            .map_err(|e| e.to_string())
    }

    /// Adds a record and its reports in one transaction; false when one with its content
    /// and settings is already there. Nothing is written when it fails.
    pub fn insert(&self, r: &Record, settings: &str, reports: &[Report]) -> Result<bool, String> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| e.to_string())?;
        let added = self.insert_rows(r, settings, reports)?;
        tx.commit().map_err(|e| e.to_string())?;
        Ok(added)
    }

    fn insert_rows(&self, r: &Record, settings: &str, reports: &[Report]) -> Result<bool, String> {
        let mut values = vec![
            Sql::Text(settings.to_string()),
            Sql::Text(env!("CARGO_PKG_VERSION").to_string()),
            Sql::Integer(chrono::Utc::now().timestamp()),
        ];
        values.extend(FIELDS.iter().map(|f| to_sql(&(f.get)(r), f.sql)));
        let marks = (1..=values.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let added = self
            .conn
            .execute(
                &format!(
                    "INSERT OR IGNORE INTO files (settings, element_version, checked, {}) VALUES ({marks})",
                    column_list()
                ),
                params_from_iter(values),
            )
            .map_err(|e| e.to_string())?;
        if added == 0 {
            return Ok(false);
        }
        let id = self.conn.last_insert_rowid();
        let columns: Vec<String> = REPORT_FIELDS
            .iter()
            .map(|f| format!("\"{}\"", report_column(f.name)))
            .collect();
        let marks = (1..=columns.len() + 1)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO reports (file_id, {}) VALUES ({marks})",
            columns.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| e.to_string())?;
        for report in reports {
            let mut row = vec![Sql::Integer(id)];
            row.extend(REPORT_FIELDS.iter().map(|f| {
                let ty = match f.ty {
                    FieldType::Double => SqlType::Real,
                    FieldType::Uint | FieldType::Uint64 | FieldType::Boolean => SqlType::Integer,
                    _ => SqlType::Text,
                };
                (f.get)(report).map_or(Sql::Null, |v| to_sql(&v.to_json(), ty))
            }));
            stmt.execute(params_from_iter(row))
                .map_err(|e| e.to_string())?;
        }
        Ok(true)
    }

    /// Records created in `[from, to)` (Unix seconds; None is open), oldest first: a file
    /// checked more than once (with other settings) counts once, as its latest check.
    pub fn records(&self, from: Option<i64>, to: Option<i64>) -> Result<Vec<Record>, String> {
        let sql = format!(
            "SELECT {} FROM files WHERE created IS NOT NULL AND created >= ?1 AND created < ?2
               AND id IN (SELECT MAX(id) FROM files GROUP BY hash) ORDER BY created",
            column_list()
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map(
                [from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX)],
                record_of_row,
            )
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for r in rows {
            out.extend(r.map_err(|e| e.to_string())?);
        }
        Ok(out)
    }
}
