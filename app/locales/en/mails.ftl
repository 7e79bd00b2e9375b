# Mails Tresor sends. A recipient whose language Tresor does not know gets
# German and English in one mail (see server/src/notify/language.rs).

mail-both-languages-divider = English version below
mail-link-subject-reset = Tresor: choose a new password
mail-link-subject-invitation = Tresor: your account is ready
mail-link-requested =
    Hello { $name },

    someone (hopefully you) asked to reset the password of your Tresor account { $email }.

    Choose a new password here (the link works once, for an hour, and only until a newer one is sent):
    { $link }

    If you did not ask for this, ignore this mail: your password stays as it is.
mail-link-reset =
    Hello { $name },

    an administrator of Tresor sent you this link to choose a new password for your account { $email }.

    Choose it here (the link works once, for an hour, and only until a newer one is sent):
    { $link }

    Until you do, your current password keeps working.
mail-link-invitation =
    Hello { $name },

    an administrator of Tresor, the e-mail archive, created an account for you: { $email }.

    Choose your password here (the link works once, for seven days):
    { $link }

    Then sign in with your e-mail address and that password.
mail-test-subject = Tresor: test message ✓
mail-test-subject-mailbox = Tresor: test message ✓ (mailbox „{ $mailbox }“)
mail-test-body = This is a test message from Tresor.

    If you read this, notifications reach { $to } through { $server }.
mail-test-body-mailbox = This is a test message from Tresor.

    If you read this, notifications about the mailbox „{ $mailbox }“ reach { $to } through { $server }.
mail-failure-subject = Tresor: archiving of mailbox „{ $mailbox }“ fails
mail-failure-body =
    Archiving of the mailbox „{ $mailbox }“ has failed since { $since } ({ $days ->
        [one] { $days } day
       *[other] { $days } days
    }).

    The last error:
      { $error }
    { $link }
    Mail of this mailbox is not archived until this is fixed. Tresor reminds you once a day for up to { $give_up } days, then stops until the mailbox works again.
mail-summary-subject-none = Tresor: no archiving runs in the last day
mail-summary-subject-ok = Tresor: daily summary — { $archived } messages archived, no failures
mail-summary-subject-failing = Tresor: daily summary — { $archived } messages archived, { $failing ->
        [one] { $failing } mailbox
       *[other] { $failing } mailboxes
    } with failed runs
mail-summary-none =
    No archiving run ended between { $since } and { $until }.

    If mailboxes are scheduled, check that Tresor is running and the mailboxes are not paused.
mail-summary-intro = Archiving runs that ended between { $since } and { $until }:
mail-summary-line = { $mailbox }: { $runs ->
        [one] { $runs } run
       *[other] { $runs } runs
    }{ $failed_runs ->
        [0] {""}
       *[other] {" "}({ $failed_runs } failed)
    }, { $archived } archived, { $duplicates } duplicates, { $failed } messages failed
mail-summary-last-error = last error: { $error }
mail-summary-unknown-mailbox = mailbox #{ $id }
