// The PostgreSQL JDBC driver (pgjdbc) against a PostgreSQL-compatible server: SCRAM connect,
// SELECT 1, typed parameters read back equal, a 1,000-row table (addBatch/executeBatch, then every
// value checked), SQLSTATE 22012 and 25P02 (autocommit off, then rollback), COPY in/out
// (CopyManager), one PreparedStatement executed 10 times (server-side prepared from the 5th),
// setFetchSize(10) with autocommit off (a portal read 10 rows at a time), LISTEN/NOTIFY between two
// connections (PGConnection.getNotifications).
//
//   java -cp "$(bash tests/compat/setup-java.sh)" Jdbc.java --host H --port P --user U --password PW --dbname D

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

public class Jdbc {
    static final String CLIENT = "jdbc";
    static final String TABLE = "compat_jdbc";
    static final String COLUMNS = "id int PRIMARY KEY, name text, amount numeric(12,2), created timestamp";
    static final int TABLE_ROWS = 1000, COPY_ROWS = 100;
    static int failed = 0;

    interface Body { void run() throws Exception; }

    static boolean step(String name, Body body) {
        try {
            body.run();
            System.out.println("ok " + CLIENT + " " + name);
            return true;
        } catch (Throwable e) {
            failed++;
            String why = (e instanceof AssertionError ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage();
            why = why.replaceAll("\\s+", " ");
            System.out.println("FAIL " + CLIENT + " " + name + ": " + why.substring(0, Math.min(400, why.length())));
            if (System.getenv("COMPAT_TRACE") != null) e.printStackTrace();
            return false;
        }
    }

    static void check(boolean cond, String why) {
        if (!cond) throw new AssertionError(why);
    }

    // Equal values of the same class; BigDecimal.equals also compares the scale (12345.678900).
    static boolean same(Object got, Object want) {
        if (want instanceof byte[] w) return got instanceof byte[] g && Arrays.equals(g, w);
        return Objects.equals(got, want) && (want == null || got.getClass() == want.getClass());
    }

    static String show(Object x) {
        return x instanceof byte[] b ? Arrays.toString(b) : x == null ? "null" : x + " (" + x.getClass().getSimpleName() + ")";
    }

    // Row i (1-based) of the scenario's tables: id, name, amount, created.
    static Object[] row(int i) {
        return new Object[] {i, "name " + i + " ü'\"", new BigDecimal(String.format("%d.%02d", i, i % 100)),
            LocalDateTime.of(2024, 1, 1, 0, 0).plusSeconds(i).plusNanos(i * 1000L)};
    }

    // A timestamp as PostgreSQL prints it (trailing zeros of the fraction dropped).
    static String tsText(LocalDateTime t) {
        String s = String.format("%04d-%02d-%02d %02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
            t.getHour(), t.getMinute(), t.getSecond());
        String fraction = String.format("%06d", t.getNano() / 1000).replaceAll("0+$", "");
        return fraction.isEmpty() ? s : s + "." + fraction;
    }

    static Object[] read(ResultSet rs) throws SQLException {
        return new Object[] {rs.getObject(1), rs.getObject(2), rs.getObject(3), rs.getObject(4, LocalDateTime.class)};
    }

    static void checkRow(Object[] got, Object[] want) {
        for (int k = 0; k < want.length; k++) {
            check(same(got[k], want[k]), "row " + want[0] + " column " + (k + 1) + ": got " + show(got[k]) + ", want " + show(want[k]));
        }
    }

    static void checkRows(ResultSet rs, int n) throws SQLException {
        int i = 0;
        while (rs.next()) {
            check(++i <= n, "more than " + n + " rows");
            checkRow(read(rs), row(i));
        }
        check(i == n, i + " rows, want " + n);
    }

    static Object one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            check(rs.next(), "no row");
            return rs.getObject(1);
        }
    }

    static void expectState(String state, Body body) throws Exception {
        try {
            body.run();
        } catch (SQLException e) {
            check(state.equals(e.getSQLState()), "SQLSTATE " + e.getSQLState() + ", want " + state + " (" + e.getMessage() + ")");
            return;
        }
        throw new AssertionError("no error, want SQLSTATE " + state);
    }

    static void param(Connection c, String type, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::" + type)) {
            if (value == null) ps.setNull(1, java.sql.Types.VARCHAR); else ps.setObject(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                check(rs.next(), "no row");
                Object got = value instanceof LocalDateTime ? rs.getObject(1, LocalDateTime.class) : rs.getObject(1);
                check(same(got, value), "got " + show(got) + ", want " + show(value));
            }
        }
    }

    static void table(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
            st.execute("CREATE TABLE " + TABLE + " (" + COLUMNS + ")");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?, ?, ?)")) {
            for (int i = 1; i <= TABLE_ROWS; i++) {
                Object[] r = row(i);
                for (int k = 0; k < 4; k++) ps.setObject(k + 1, r[k]);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            check(counts.length == TABLE_ROWS, counts.length + " batch results");
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, name, amount, created FROM " + TABLE + " ORDER BY id")) {
            checkRows(rs, TABLE_ROWS);
        }
    }

    static void failedTransaction(Connection c) throws Exception {
        c.setAutoCommit(false);
        try {
            expectState("22012", () -> one(c, "SELECT 1/0"));
            expectState("25P02", () -> one(c, "SELECT 1"));
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        check(same(one(c, "SELECT 3"), 3), "SELECT 3 failed");
    }

    static void copy(Connection c) throws Exception {
        String name = TABLE + "_copy";
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + name);
            st.execute("CREATE TABLE " + name + " (" + COLUMNS + ")");
        }
        StringBuilder want = new StringBuilder();
        for (int i = 1; i <= COPY_ROWS; i++) {
            Object[] r = row(i);
            want.append(r[0]).append('\t').append(r[1]).append('\t').append(r[2]).append('\t').append(tsText((LocalDateTime) r[3])).append('\n');
        }
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        long in = copy.copyIn("COPY " + name + " (id, name, amount, created) FROM STDIN", new StringReader(want.toString()));
        check(in == COPY_ROWS, "copied in " + in + " rows");
        StringWriter out = new StringWriter();
        copy.copyOut("COPY (SELECT id, name, amount, created FROM " + name + " ORDER BY id) TO STDOUT", out);
        check(out.toString().equals(want.toString()), "copied out " + out.toString().substring(0, Math.min(200, out.toString().length())) + "...");
    }

    static void prepared(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::int4 * 2, ?::text")) {
            for (int i = 0; i < 10; i++) {
                ps.setInt(1, i);
                ps.setString(2, "p" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next() && rs.getInt(1) == i * 2 && rs.getString(2).equals("p" + i), "wrong result for " + i);
                }
            }
        }
    }

    static void cursor(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10);
            try (ResultSet rs = st.executeQuery("SELECT id, name, amount, created FROM " + TABLE + " ORDER BY id")) {
                checkRows(rs, TABLE_ROWS);
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    static void notify(Connection c, String url, Properties props) throws Exception {
        try (Connection l = DriverManager.getConnection(url, props)) {
            try (Statement st = l.createStatement()) {
                st.execute("LISTEN compat_jdbc");
            }
            try (Statement st = c.createStatement()) {
                st.execute("NOTIFY compat_jdbc, 'hello from jdbc'");
            }
            PGNotification[] got = l.unwrap(PGConnection.class).getNotifications(10000);
            check(got != null && got.length == 1, "no notification within 10 s");
            check(got[0].getName().equals("compat_jdbc") && got[0].getParameter().equals("hello from jdbc"),
                "got " + got[0].getName() + " " + got[0].getParameter());
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        a.put("host", System.getenv().getOrDefault("PGHOST", "127.0.0.1"));
        a.put("port", System.getenv().getOrDefault("PGPORT", "5432"));
        a.put("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        a.put("password", System.getenv().getOrDefault("PGPASSWORD", ""));
        a.put("dbname", System.getenv().getOrDefault("PGDATABASE", "postgres"));
        for (int k = 0; k + 1 < argv.length; k += 2) {
            String key = argv[k].replaceFirst("^--", "");
            if (!a.containsKey(key)) throw new IllegalArgumentException("unknown option " + argv[k]);
            a.put(key, argv[k + 1]);
        }
        String url = "jdbc:postgresql://" + a.get("host") + ":" + a.get("port") + "/" + a.get("dbname");
        Properties props = new Properties();
        props.setProperty("user", a.get("user"));
        props.setProperty("password", a.get("password"));
        props.setProperty("connectTimeout", "10");

        Connection[] conn = new Connection[1];
        if (!step("connect", () -> conn[0] = DriverManager.getConnection(url, props))) System.exit(1);
        Connection c = conn[0];
        step("select1", () -> check(same(one(c, "SELECT 1"), 1), "SELECT 1 did not give 1"));
        Object[][] params = {
            {"int4", "int4", 42}, {"int8", "int8", 9007199254740993L}, {"text", "text", "it's \"quoted\" ü€😀"},
            {"bytea", "bytea", new byte[] {0, 1, (byte) 0xff, 0}},
            {"timestamp", "timestamp", LocalDateTime.of(2024, 2, 29, 13, 45, 0, 123456000)},
            {"numeric", "numeric", new BigDecimal("12345.678900")}, {"bool", "bool", true},
            {"null", "text", null}, {"empty", "text", ""},
        };
        for (Object[] p : params) step("param-" + p[0], () -> param(c, (String) p[1], p[2]));
        step("table", () -> table(c));
        step("error", () -> {
            expectState("22012", () -> one(c, "SELECT 1/0"));
            check(same(one(c, "SELECT 2"), 2), "SELECT 2 failed");
        });
        step("transaction", () -> failedTransaction(c));
        step("copy", () -> copy(c));
        step("prepared", () -> prepared(c));
        step("cursor", () -> cursor(c));
        step("notify", () -> notify(c, url, props));
        c.close();
        System.exit(failed > 0 ? 1 : 0);
    }
}
