package io.mailtree.contacts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The account's small set of test recipients; they are not contacts and do not count for the allowance. */
@Service
public class TestRecipients {

    public static final int MAX = 100;

    static final RowMapper<TestRecipient> MAPPER = (rs, n) -> new TestRecipient(rs.getLong("id"), rs.getString("email"),
            rs.getString("name"), Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;
    private final Clock clock;

    TestRecipients(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public List<TestRecipient> of(AccountId account) {
        return jdbc.sql("select * from test_recipient where account_id = ? order by email_key").param(account.value())
                .query(MAPPER).list();
    }

    @Transactional
    public TestRecipient add(AccountId account, String email, String name) {
        String normalised = EmailAddresses.normalise(email);
        String validName = Contacts.name(name);
        long count = jdbc.sql("select count(*) from test_recipient where account_id = ?").param(account.value())
                .query(Long.class).single();
        if (count >= MAX) {
            throw DomainProblem.conflict("too_many_test_recipients", "an account has at most " + MAX + " test recipients", MAX);
        }
        String key = EmailAddresses.contactKey(normalised);
        try {
            jdbc.sql("insert into test_recipient (account_id, email, email_key, name, created_at) values (?, ?, ?, ?, ?)")
                    .params(account.value(), normalised, key, validName, Times.sql(clock.instant())).update();
        } catch (DuplicateKeyException exists) {
            throw DomainProblem.conflict("test_recipient_exists", "this address is already a test recipient")
                    .with("field", "email");
        }
        return jdbc.sql("select * from test_recipient where account_id = ? and email_key = ?").params(account.value(), key)
                .query(MAPPER).single();
    }

    @Transactional
    public void remove(AccountId account, long id) {
        if (jdbc.sql("delete from test_recipient where account_id = ? and id = ?").params(account.value(), id).update() == 0) {
            throw DomainProblem.notFound("test_recipient_not_found", "test recipient");
        }
    }

    /** Copies the master's test recipients missing in {@code target}; answers how many were copied. */
    int copyTo(AccountId master, AccountId target) {
        long existing = jdbc.sql("select count(*) from test_recipient where account_id = ?").param(target.value())
                .query(Long.class).single();
        return jdbc.sql("""
                insert into test_recipient (account_id, email, email_key, name, created_at)
                select ?, s.email, s.email_key, s.name, ? from test_recipient s
                where s.account_id = ? and not exists (
                    select 1 from test_recipient t where t.account_id = ? and t.email_key = s.email_key)
                order by s.id limit ?""")
                .params(target.value(), Times.sql(clock.instant()), master.value(), target.value(),
                        Math.max(0, MAX - existing))
                .update();
    }
}
