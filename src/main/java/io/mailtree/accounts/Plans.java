package io.mailtree.accounts;

import io.mailtree.shared.DomainProblem;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The plan catalog, seeded by a migration (D-2). */
@Repository
public class Plans {

    private static final RowMapper<Plan> MAPPER = (rs, n) -> new Plan(rs.getString("code"), rs.getString("name"),
            PlanKind.valueOf(rs.getString("kind")), (Integer) rs.getObject("contact_limit"),
            (Integer) rs.getObject("monthly_emails"), rs.getBoolean("paid"), rs.getBoolean("subaccounts_allowed"));

    private final JdbcClient jdbc;

    Plans(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Plan> all() {
        return jdbc.sql("select * from plan order by sort_order").query(MAPPER).list();
    }

    public Optional<Plan> find(String code) {
        if (code == null || code.length() > 40) {
            return Optional.empty();
        }
        return jdbc.sql("select * from plan where code = ?").param(code).query(MAPPER).optional();
    }

    /** The plan with this code, or {@code unknown_plan}. */
    public Plan require(String code) {
        return find(code).orElseThrow(() -> DomainProblem.invalid("unknown_plan", "unknown plan: " + code, code)
                .with("field", "plan"));
    }
}
