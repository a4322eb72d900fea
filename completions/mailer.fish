# fish completion for mailer(1).
#
# Install: copy to ~/.config/fish/completions/mailer.fish (or
# /usr/share/fish/vendor_completions.d/mailer.fish).
#
# Keep in step with src/cli/*.cpp and man/mailer.1: every command, subcommand and flag.

# The words before the cursor without "mailer", options and option values: the command,
# its subcommand and their positional arguments.
function __mailer_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_options --config --db --name --comment --group --search --email --code \
        --subject --body --body-file --html-file --message --client --start --end --every \
        --mailing --status --since --to --part --columns --encoding --owner --until --html --format \
        --delimiter --listen --title --image --base-url
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case '--*=*'
                continue
            case '-*'
                contains -- $t $value_options; and set skip 1
                continue
        end
        echo $t
    end
end

# True when no command has been typed yet.
function __mailer_needs_command
    set -l w (__mailer_words)
    test (count $w) -eq 0
end

# True when the command is $argv[1] and its subcommand is still to be typed.
function __mailer_needs_subcommand
    set -l w (__mailer_words)
    test (count $w) -eq 1; and test "$w[1]" = "$argv[1]"
end

# True for "mailer CMD [SUB]" ($argv[1] CMD, optional $argv[2] SUB), with exactly $argv[3]
# positional words typed in all (command and subcommand included) when $argv[3] is given.
function __mailer_using
    set -l w (__mailer_words)
    test (count $w) -ge 1; and test "$w[1]" = "$argv[1]"; or return 1
    if test (count $argv) -ge 2; and test -n "$argv[2]"
        test (count $w) -ge 2; and test "$w[2]" = "$argv[2]"; or return 1
    end
    if test (count $argv) -ge 3
        test (count $w) -eq $argv[3]; or return 1
    end
    return 0
end

# Group names of the logged-in user (nothing without a session), from the database of the
# command line being completed.
function __mailer_groups
    set -l tokens (commandline -opc)
    set -l db_args
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --config --db
                set -l j (math $i + 1)
                test $j -le (count $tokens); and set -a db_args $tokens[$i] $tokens[$j]
            case '--config=*' '--db=*'
                set -a db_args $tokens[$i]
        end
    end
    command mailer $db_args --json group list </dev/null 2>/dev/null |
        string replace -rf '^\s*"name": "(.*)",?$' '$1'
end

complete -c mailer -f

# Global options (accepted before and after the command).
complete -c mailer -l config -r -F -d 'Config file (default $MAILER_CONFIG or $XDG_CONFIG_HOME/mailer/mailer.toml)'
complete -c mailer -l db -r -F -d 'Database file (overrides $MAILER_DB and the config)'
complete -c mailer -l json -d 'Machine-readable output on standard output'
complete -c mailer -s q -l quiet -d 'Print only data and errors'
complete -c mailer -s v -l verbose -d 'Print more about what is done'
complete -c mailer -l log-timestamps -d 'Begin every line of output with the time (for logs)'
complete -c mailer -l version -d 'Print the version and exit'
complete -c mailer -s h -l help -d 'Print help and exit'

# Commands.
complete -c mailer -n __mailer_needs_command -a init -d 'Create or migrate the database and print its path'
complete -c mailer -n __mailer_needs_command -a user -d 'Accounts: register, verify, reset passwords; managers list and block'
complete -c mailer -n __mailer_needs_command -a login -d 'Log in and keep a session for this database'
complete -c mailer -n __mailer_needs_command -a logout -d "End this database's session"
complete -c mailer -n __mailer_needs_command -a whoami -d 'Show who is logged in'
complete -c mailer -n __mailer_needs_command -a client -d 'Recipients: add, list, edit, remove, import and export CSV'
complete -c mailer -n __mailer_needs_command -a group -d 'Groups of recipients'
complete -c mailer -n __mailer_needs_command -a message -d 'Messages: subject and body templates'
complete -c mailer -n __mailer_needs_command -a mailing -d 'Mailings: a message, its recipients and a schedule'
complete -c mailer -n __mailer_needs_command -a send -d 'Send one mailing now, or every due one (--due)'
complete -c mailer -n __mailer_needs_command -a report -d 'How each mailing did: totals, rates, recipients, links, bounces, attempts'
complete -c mailer -n __mailer_needs_command -a stats -d 'Mailings, active mailings, unique recipients, published posts'
complete -c mailer -n __mailer_needs_command -a cron -d 'The crontab line for send --due'
complete -c mailer -n __mailer_needs_command -a serve -d 'The tracking server: open pixel, click redirect, unsubscribe'
complete -c mailer -n __mailer_needs_command -a blog -d 'The blog: posts in Markdown, published by an editor'
complete -c mailer -n __mailer_needs_command -a bounces -d 'Delivery failure reports: read the mailbox, list, show, parse one'
complete -c mailer -n __mailer_needs_command -a db -d 'Move the database: copy it into PostgreSQL'

# user
complete -c mailer -n '__mailer_needs_subcommand user' -a create-superuser -d 'Create a verified superuser'
complete -c mailer -n '__mailer_needs_subcommand user' -a register -d 'Register an account; a code is emailed to it'
complete -c mailer -n '__mailer_needs_subcommand user' -a verify -d 'Verify an account with the emailed code'
complete -c mailer -n '__mailer_needs_subcommand user' -a reset-password -d 'Email a reset code, or with --code set a new password'
complete -c mailer -n '__mailer_needs_subcommand user' -a list -d 'List all users (manager)'
complete -c mailer -n '__mailer_needs_subcommand user' -a show -d 'Show one user (manager)'
complete -c mailer -n '__mailer_needs_subcommand user' -a block -d 'Block a user and end their sessions (manager)'
complete -c mailer -n '__mailer_needs_subcommand user' -a unblock -d 'Let a blocked user log in again (manager)'
complete -c mailer -n '__mailer_needs_subcommand user' -a grant -d 'Give a user a role (superuser)'
complete -c mailer -n '__mailer_needs_subcommand user' -a revoke -d 'Take a role from a user (superuser)'
complete -c mailer -n '__mailer_using user create-superuser' -l password-stdin -d 'Read the password from standard input'
complete -c mailer -n '__mailer_using user register' -l name -x -d 'Your name'
complete -c mailer -n '__mailer_using user register' -l password-stdin -d 'Read the password from standard input'
complete -c mailer -n '__mailer_using user reset-password' -l code -x -d 'The code from the reset email'
complete -c mailer -n '__mailer_using user reset-password' -l password-stdin -d 'Read the new password from standard input'
complete -c mailer -n '__mailer_using user grant 3; or __mailer_using user revoke 3' -a 'manager content-manager superuser' -d Role

# login, logout, whoami
complete -c mailer -n '__mailer_using login' -l password-stdin -d 'Read the password from standard input'

# client
complete -c mailer -n '__mailer_needs_subcommand client' -a add -d 'Add a recipient'
complete -c mailer -n '__mailer_needs_subcommand client' -a list -d 'List recipients'
complete -c mailer -n '__mailer_needs_subcommand client' -a show -d 'Show one recipient'
complete -c mailer -n '__mailer_needs_subcommand client' -a edit -d 'Change a recipient'
complete -c mailer -n '__mailer_needs_subcommand client' -a rm -d 'Remove recipients (all or none)'
complete -c mailer -n '__mailer_needs_subcommand client' -a import -d 'Import clients from CSV (a header, --columns, or a list of addresses)'
complete -c mailer -n '__mailer_needs_subcommand client' -a export -d 'Write recipients as CSV to standard output'
complete -c mailer -n '__mailer_using client add' -l name -x -d "The recipient's name ({{name}})"
complete -c mailer -n '__mailer_using client add' -l comment -x -d 'A note for yourself'
complete -c mailer -n '__mailer_using client add' -l group -x -a '(__mailer_groups)' -d 'Add to this group (created when missing)'
complete -c mailer -n '__mailer_using client list' -l group -x -a '(__mailer_groups)' -d 'Only the members of this group'
complete -c mailer -n '__mailer_using client list' -l search -x -d 'Only those whose email, name or comment contains TEXT'
complete -c mailer -n '__mailer_using client list' -l all -d "Everyone's recipients, with their owner (manager)"
complete -c mailer -n '__mailer_using client list' -l unsubscribed -d 'Only those who unsubscribed'
complete -c mailer -n '__mailer_using client list' -l suppressed -d 'Only those whose address bounces suppressed'
complete -c mailer -n '__mailer_using client edit' -l email -x -d 'New email address'
complete -c mailer -n '__mailer_using client edit' -l name -x -d 'New name'
complete -c mailer -n '__mailer_using client edit' -l comment -x -d 'New comment'
complete -c mailer -n '__mailer_using client edit' -l resubscribe -d "Clear an unsubscribe (the owner only, with the recipient's consent)"
complete -c mailer -n '__mailer_using client edit' -l unsubscribe -d 'Record an unsubscribe made outside mailer (by phone)'
complete -c mailer -n '__mailer_using client edit' -l unsuppress -d 'Lift the suppression bounces put on the address (the owner only)'
complete -c mailer -n '__mailer_using client import' -l group -x -a '(__mailer_groups)' -d 'Add every imported client to this group'
complete -c mailer -n '__mailer_using client import' -l skip-invalid -d 'Import the valid rows and report the bad ones'
complete -c mailer -n '__mailer_using client import' -l columns -x -a 'email,name,comment email,name email' -d 'The columns by position (an empty entry skips one)'
complete -c mailer -n '__mailer_using client import' -l encoding -x -a 'utf-8 cp1251' -d "The file's encoding (default: UTF-8, Windows-1251 detected)"
complete -c mailer -n '__mailer_using client import 2' -F -d 'CSV file'
complete -c mailer -n '__mailer_using client import 2' -a - -d 'Standard input'
complete -c mailer -n '__mailer_using client export' -l group -x -a '(__mailer_groups)' -d 'Only the members of this group'
complete -c mailer -n '__mailer_using client export' -l raw -d 'Keep cells that start with = + - @ as they are'

# group
complete -c mailer -n '__mailer_needs_subcommand group' -a add -d 'Create a group'
complete -c mailer -n '__mailer_needs_subcommand group' -a list -d 'List groups with their member counts'
complete -c mailer -n '__mailer_needs_subcommand group' -a rm -d 'Remove a group (its clients stay; refused while a mailing uses it)'
complete -c mailer -n '__mailer_needs_subcommand group' -a members -d "List a group's clients"
complete -c mailer -n '__mailer_needs_subcommand group' -a add-member -d 'Put clients into a group'
complete -c mailer -n '__mailer_needs_subcommand group' -a remove-member -d 'Take clients out of a group'
complete -c mailer -n '__mailer_using group list' -l all -d "Everyone's groups, with their owner (manager)"
for __mailer_sub in rm members add-member remove-member
    complete -c mailer -n "__mailer_using group $__mailer_sub" -l owner -x -d 'The group of this user (by email)'
end
complete -c mailer -n '__mailer_using group rm 2; or __mailer_using group members 2; or __mailer_using group add-member 2; or __mailer_using group remove-member 2' -a '(__mailer_groups)' -d Group

# message
complete -c mailer -n '__mailer_needs_subcommand message' -a add -d 'Write a message'
complete -c mailer -n '__mailer_needs_subcommand message' -a list -d 'List messages'
complete -c mailer -n '__mailer_needs_subcommand message' -a show -d 'Show a message'
complete -c mailer -n '__mailer_needs_subcommand message' -a edit -d 'Change a message'
complete -c mailer -n '__mailer_needs_subcommand message' -a rm -d 'Remove messages (all or none)'
for __mailer_sub in add edit
    complete -c mailer -n "__mailer_using message $__mailer_sub" -l subject -x -d 'Subject template'
    complete -c mailer -n "__mailer_using message $__mailer_sub" -l body -x -d 'Plain-text body template'
    complete -c mailer -n "__mailer_using message $__mailer_sub" -l body-file -r -F -d 'Read the plain-text body from a file (- for stdin)'
    complete -c mailer -n "__mailer_using message $__mailer_sub" -l html-file -r -F -d 'Read an HTML body from a file'
end
set -e __mailer_sub
complete -c mailer -n '__mailer_using message edit' -l no-html -d 'Drop the HTML body'
complete -c mailer -n '__mailer_using message list' -l all -d "Everyone's messages, with their owner (manager)"
complete -c mailer -n '__mailer_using message show' -l render -d 'Print the MIME message a recipient gets'
complete -c mailer -n '__mailer_using message show' -l client -x -d 'Render it for this client (implies --render)'
complete -c mailer -n '__mailer_using message show' -l part -x -a 'text html' -d 'Print only the rendered text or HTML body'

# mailing
complete -c mailer -n '__mailer_needs_subcommand mailing' -a add -d 'Create a mailing'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a list -d 'List mailings with their subject, recipients and last run'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a show -d 'Show a mailing with its subject, recipients and last run'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a edit -d 'Change a mailing (--client/--group replace the recipients)'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a rm -d 'Remove mailings with their runs and attempts'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a stop -d 'Finish a mailing early (owner)'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a disable -d 'Stop any mailing from sending until enabled (manager)'
complete -c mailer -n '__mailer_needs_subcommand mailing' -a enable -d 'Let a disabled mailing send again (manager)'
for __mailer_sub in add edit
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l message -x -d 'The message to send (its id)'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l name -x -d 'A name for the mailing'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l client -x -d 'Recipient client ids'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l group -x -a '(__mailer_groups)' -d 'Recipient groups'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l start -x -a now -d 'First send: ISO 8601 local time or now'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l end -x -a now -d 'No sends after this time'
    complete -c mailer -n "__mailer_using mailing $__mailer_sub" -l every -x -a 'once daily weekly monthly' -d 'How often'
end
set -e __mailer_sub
complete -c mailer -n '__mailer_using mailing edit' -l no-end -d 'Remove the end time'
complete -c mailer -n '__mailer_using mailing list' -l all -d "Everyone's mailings, with their owner (manager)"

# send
complete -c mailer -n '__mailer_using send' -l due -d 'Send every due run of every user (what cron runs)'
complete -c mailer -n '__mailer_using send' -l dry-run -d 'Print what would be sent; send and record nothing'
complete -c mailer -n '__mailer_using send' -l to -x -d 'Send one test copy of mailing ID to EMAIL'
complete -c mailer -n '__mailer_using send' -l retry-failed -d 'A new run for the recipients whose last try failed'
complete -c mailer -n '__mailer_using send' -l quiet-idle -d 'Print nothing when nothing was due (the crontab line)'

# report
complete -c mailer -n '__mailer_needs_subcommand report' -a attempts -d 'The attempt log'
complete -c mailer -n '__mailer_needs_subcommand report' -a recipients -d 'One row per recipient of a mailing'
complete -c mailer -n '__mailer_needs_subcommand report' -a links -d 'Clicks per tracked URL of a mailing'
complete -c mailer -n '__mailer_needs_subcommand report' -a bounces -d 'Bounces by reason and hard or soft, with complaints'
complete -c mailer -n '__mailer_using report "" 1' -l mailing -x -d 'Only this mailing (with activity bars on a terminal)'
complete -c mailer -n '__mailer_using report "" 1' -l since -x -d 'Only runs started at or after this time'
complete -c mailer -n '__mailer_using report "" 1' -l until -x -d 'Only runs started at or before this time'
complete -c mailer -n '__mailer_using report "" 1' -l all -d "Everyone's mailings (manager)"
complete -c mailer -n '__mailer_using report "" 1' -l html -r -F -d 'Write a self-contained HTML report to FILE'
complete -c mailer -n '__mailer_using report "" 1' -l format -x -a 'table csv' -d 'table or csv (UTF-8 with BOM)'
complete -c mailer -n '__mailer_using report "" 1' -l delimiter -x -a ', ;' -d 'The CSV field separator'
complete -c mailer -n '__mailer_using report attempts' -l mailing -x -d 'Only this mailing'
complete -c mailer -n '__mailer_using report attempts' -l status -x -a 'sent bounced deferred failed' -d 'Only attempts with this status'
complete -c mailer -n '__mailer_using report attempts' -l since -x -d 'Only attempts at or after this time'
complete -c mailer -n '__mailer_using report attempts' -l email -x -d 'Only attempts to this address'
complete -c mailer -n '__mailer_using report attempts' -l final -d "Only each recipient's last attempt in each run"
complete -c mailer -n '__mailer_using report attempts' -l all -d "Everyone's attempts (manager)"
complete -c mailer -n '__mailer_using report attempts' -l format -x -a 'table csv' -d 'table or csv (UTF-8 with BOM)'
complete -c mailer -n '__mailer_using report attempts' -l delimiter -x -a ', ;' -d 'The CSV field separator'
complete -c mailer -n '__mailer_using report recipients' -l mailing -x -d 'The mailing'
complete -c mailer -n '__mailer_using report recipients' -l status -x -a 'sent bounced deferred failed pending' -d 'Only recipients whose last status is this'
complete -c mailer -n '__mailer_using report recipients' -l opened -d 'Only those who opened it'
complete -c mailer -n '__mailer_using report recipients' -l not-opened -d 'Only those who did not open it'
complete -c mailer -n '__mailer_using report recipients' -l clicked -d 'Only those who clicked a link in it'
complete -c mailer -n '__mailer_using report recipients' -l format -x -a 'table csv' -d 'table or csv (UTF-8 with BOM)'
complete -c mailer -n '__mailer_using report recipients' -l delimiter -x -a ', ;' -d 'The CSV field separator'
complete -c mailer -n '__mailer_using report links' -l mailing -x -d 'The mailing'
complete -c mailer -n '__mailer_using report links' -l format -x -a 'table csv' -d 'table or csv (UTF-8 with BOM)'
complete -c mailer -n '__mailer_using report links' -l delimiter -x -a ', ;' -d 'The CSV field separator'
complete -c mailer -n '__mailer_using report bounces' -l mailing -x -d 'Only this mailing'
complete -c mailer -n '__mailer_using report bounces' -l since -x -d 'Only runs started at or after this time'
complete -c mailer -n '__mailer_using report bounces' -l until -x -d 'Only runs started at or before this time'
complete -c mailer -n '__mailer_using report bounces' -l all -d "Everyone's mailings (manager)"
complete -c mailer -n '__mailer_using report bounces' -l format -x -a 'table csv' -d 'table or csv (UTF-8 with BOM)'
complete -c mailer -n '__mailer_using report bounces' -l delimiter -x -a ', ;' -d 'The CSV field separator'

# stats
complete -c mailer -n '__mailer_using stats' -l all -d "Everyone's figures (manager)"

# cron
complete -c mailer -n '__mailer_needs_subcommand cron' -a show -d 'Print the crontab line for send --due'
complete -c mailer -n '__mailer_needs_subcommand cron' -a install -d 'Add the line to your crontab'
complete -c mailer -n '__mailer_needs_subcommand cron' -a remove -d 'Remove the line from your crontab'

# serve
complete -c mailer -n '__mailer_using serve' -l listen -x -d 'ADDR:PORT to listen on (default 127.0.0.1:8080)'

# blog
complete -c mailer -n '__mailer_needs_subcommand blog' -a add -d 'Write a post (it appears once an editor publishes it)'
complete -c mailer -n '__mailer_needs_subcommand blog' -a list -d 'List the published posts, newest first'
complete -c mailer -n '__mailer_needs_subcommand blog' -a show -d 'Show a post and count one view'
complete -c mailer -n '__mailer_needs_subcommand blog' -a edit -d 'Change a post'
complete -c mailer -n '__mailer_needs_subcommand blog' -a rm -d 'Remove a post'
complete -c mailer -n '__mailer_needs_subcommand blog' -a publish -d 'Publish a post (manager, content-manager)'
complete -c mailer -n '__mailer_needs_subcommand blog' -a unpublish -d 'Take a post back from the blog (manager, content-manager)'
complete -c mailer -n '__mailer_needs_subcommand blog' -a export -d 'Write the published posts as a static site'
for __mailer_sub in add edit
    complete -c mailer -n "__mailer_using blog $__mailer_sub" -l title -x -d "The post's title"
    complete -c mailer -n "__mailer_using blog $__mailer_sub" -l body -x -d 'The body in Markdown'
    complete -c mailer -n "__mailer_using blog $__mailer_sub" -l body-file -r -F -d 'Read the body from a Markdown file (- for stdin)'
    complete -c mailer -n "__mailer_using blog $__mailer_sub" -l image -r -F -d 'An image: PNG, JPEG, GIF or WebP, up to 5 MiB'
end
set -e __mailer_sub
complete -c mailer -n '__mailer_using blog edit' -l no-image -d "Remove the post's image"
complete -c mailer -n '__mailer_using blog list' -l all -d "Unpublished posts too: your own, or everyone's for an editor"
complete -c mailer -n '__mailer_using blog show' -l raw -d 'Print the Markdown as it was written'
complete -c mailer -n '__mailer_using blog export' -l base-url -x -d 'The http(s) URL the site is published under'
complete -c mailer -n '__mailer_using blog export 2' -x -a '(__fish_complete_directories)' -d 'Directory'
# bounces
complete -c mailer -n '__mailer_needs_subcommand bounces' -a parse -d 'Print what one report says: recipient, status, reason, hard or soft'
complete -c mailer -n '__mailer_using bounces parse' -F
complete -c mailer -n '__mailer_needs_subcommand bounces' -a fetch -d 'Read the reports in the IMAP mailbox, record them, flag them processed'
complete -c mailer -n '__mailer_needs_subcommand bounces' -a list -d 'The reports read: recipient, reason, hard or soft, the attempt'
complete -c mailer -n '__mailer_needs_subcommand bounces' -a show -d 'One report: what the parser made of it, and its raw text'
complete -c mailer -n '__mailer_using bounces fetch' -l expunge -d 'Delete each message from the mailbox once it is recorded'
complete -c mailer -n '__mailer_using bounces list' -l unmatched -d 'Only the failed recipients matched to no attempt (manager)'


# db
complete -c mailer -n '__mailer_needs_subcommand db' -a copy -d 'Copy every row of this SQLite database into an empty PostgreSQL database'
complete -c mailer -n '__mailer_using db copy' -l to -x -d 'The empty PostgreSQL database: postgresql://USER@HOST:PORT/DATABASE'
