//! A fresh PostgreSQL database per test (or benchmark run), created on the server of
//! `AGORA_TEST_POSTGRES_URL` and dropped afterwards, with a URL that carries the password
//! (the URL's own, or `PGPASSWORD`) so Agora connects with nothing else set.

use std::fmt;

use crate::scratch::unique_name;
use crate::services::{pg_password, postgres_url};

/// A database of one's own on the test server, dropped (`WITH (FORCE)`) when this is
/// dropped or [`FreshPostgres::remove`]d.
pub struct FreshPostgres {
    /// `postgres://user:password@host:port/<name>?<the base URL's query>`.
    url: String,
    name: String,
    password: Option<String>,
    /// Connects to a database that exists whatever we create or drop (the base URL's,
    /// or `postgres`), to create and drop ours.
    admin: tokio_postgres::Config,
    removed: bool,
}

impl FreshPostgres {
    /// A fresh database on the server of `AGORA_TEST_POSTGRES_URL`; see
    /// [`crate::services`].
    ///
    /// # Panics
    ///
    /// When the variable is unset, or the server cannot be reached or refuses
    /// `CREATE DATABASE`.
    pub async fn create() -> FreshPostgres {
        let base_url = postgres_url();
        match FreshPostgres::on(&base_url, "agora_test").await {
            Ok(database) => database,
            Err(error) => panic!("{error}"),
        }
    }

    /// A fresh database named `<prefix>_<pid>_<nanos>_<n>` on the server of `base_url`.
    /// The password is the URL's, or `PGPASSWORD` when the URL has none.
    pub async fn on(base_url: &str, prefix: &str) -> Result<FreshPostgres, SetupError> {
        let password = url::Url::parse(base_url)
            .ok()
            .and_then(|url| url.password().map(str::to_owned))
            .or_else(pg_password);
        let mut admin: tokio_postgres::Config = base_url
            .parse()
            .map_err(|error| SetupError::new("the PostgreSQL URL does not parse", error))?;
        if admin.get_password().is_none() {
            if let Some(password) = &password {
                admin.password(password.as_str());
            }
        }
        let client = match connect(&admin).await {
            Ok(client) => client,
            Err(first) => {
                // The URL's database may not exist on a fresh server: `postgres` always does.
                admin.dbname("postgres");
                connect(&admin).await.map_err(|error| {
                    SetupError::new(
                        &format!("cannot reach PostgreSQL ({first}; then on `postgres`)"),
                        error,
                    )
                })?
            }
        };
        let name = unique_name(prefix, '_');
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|error| SetupError::new(&format!("CREATE DATABASE {name}"), error))?;
        Ok(FreshPostgres {
            url: database_url(base_url, &name, password.as_deref())?,
            name,
            password,
            admin,
            removed: false,
        })
    }

    /// The database's URL, with the password when there is one.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The password the URL carries (the base URL's or `PGPASSWORD`), if any.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// A plain connection to this database (not through Agora's store), for a test that
    /// reads or writes behind the store's back.
    pub async fn client(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let mut config = self.admin.clone();
        config.dbname(self.name.as_str());
        connect(&config).await
    }

    /// Drops the database now, saying on stderr when it could not.
    pub async fn remove(mut self) {
        self.removed = true;
        if let Err(error) = drop_database(&self.admin, &self.name).await {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

impl fmt::Debug for FreshPostgres {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("FreshPostgres")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread with a
        // runtime of its own drops the database.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime
                .block_on(drop_database(&admin, &name))
                .map_err(|error| error.to_string())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop the test database {}: {error}", self.name),
            Err(_) => eprintln!("could not drop the test database {}: panicked", self.name),
        }
    }
}

/// Connects, driving the connection on a task of the current runtime.
pub async fn connect(
    config: &tokio_postgres::Config,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

async fn drop_database(
    admin: &tokio_postgres::Config,
    name: &str,
) -> Result<(), tokio_postgres::Error> {
    connect(admin)
        .await?
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
}

/// `base_url` pointing at database `name` instead of its own (its query kept), with
/// `password` filled in when it has none.
fn database_url(base_url: &str, name: &str, password: Option<&str>) -> Result<String, SetupError> {
    let mut url = url::Url::parse(base_url)
        .map_err(|error| SetupError::new("the PostgreSQL URL does not parse", error))?;
    url.set_path(&format!("/{name}"));
    if url.password().is_none() {
        if let Some(password) = password {
            url.set_password(Some(password)).map_err(|()| SetupError {
                message: "the PostgreSQL URL has no host to carry a password".to_owned(),
            })?;
        }
    }
    Ok(url.into())
}

/// Why a fresh database could not be made. It never shows a password.
#[derive(Debug)]
pub struct SetupError {
    message: String,
}

impl SetupError {
    fn new(what: &str, error: impl fmt::Display) -> SetupError {
        SetupError {
            message: format!("{what}: {error}"),
        }
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for SetupError {}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_database_url_names_the_fresh_database_and_keeps_the_query() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/test", "fresh", None).unwrap(),
            "postgres://postgres@127.0.0.1:5432/fresh"
        );
        assert_eq!(
            database_url("postgres://u@db/x?sslmode=disable", "fresh", None).unwrap(),
            "postgres://u@db/fresh?sslmode=disable"
        );
        assert_eq!(
            database_url("postgres://u@db", "fresh", None).unwrap(),
            "postgres://u@db/fresh"
        );
    }

    #[test]
    fn the_database_url_carries_the_password_encoded_unless_it_has_one() {
        assert_eq!(
            database_url(
                "postgres://postgres@127.0.0.1/test",
                "fresh",
                Some("p@ss/w:rd")
            )
            .unwrap(),
            "postgres://postgres:p%40ss%2Fw%3Ard@127.0.0.1/fresh"
        );
        assert_eq!(
            database_url("postgres://u:own@db/x", "fresh", Some("other")).unwrap(),
            "postgres://u:own@db/fresh"
        );
    }

    #[test]
    fn the_encoded_password_reads_back_as_written() {
        let url =
            database_url("postgres://postgres@127.0.0.1/test", "f", Some("p@ss/w:rd")).unwrap();
        let config: tokio_postgres::Config = url.parse().unwrap();
        assert_eq!(config.get_password(), Some(&b"p@ss/w:rd"[..]));
    }
}
