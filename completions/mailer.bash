# bash completion for mailer(1)                                   -*- shell-script -*-
#
# Install: copy to /usr/share/bash-completion/completions/mailer (or
# ~/.local/share/bash-completion/completions/mailer), or source it from ~/.bashrc.
# It needs nothing from the bash-completion package.
#
# Keep in step with src/cli/*.cpp and man/mailer.1: every command, subcommand and flag.

# Group names of the logged-in user, one a line, for --group and group NAME arguments.
# Uses the same --config/--db as the command line being completed; prints nothing when
# there is no session or no database (completion must never print errors or hang on a prompt).
_mailer_group_names() {
    local -a db_args=("$@")
    command mailer "${db_args[@]}" --json group list </dev/null 2>/dev/null |
        sed -n 's/^ *"name": "\(.*\)",\{0,1\}$/\1/p'
}

# Sets COMPREPLY to the group names that start with $1 (blanks escaped); $2...: --config/--db.
_mailer_complete_groups() {
    local cur=$1 name
    shift
    COMPREPLY=()
    while IFS= read -r name; do
        [[ -n $name && $name == "$cur"* ]] && COMPREPLY+=("${name// /\\ }")
    done < <(_mailer_group_names "$@")
}

# Prints the subcommands of a command, or nothing when it has none.
_mailer_subcommands() {
    case $1 in
        user) echo "create-superuser register verify reset-password list show block unblock grant revoke" ;;
        client) echo "add list show edit rm import export" ;;
        group) echo "add list rm members add-member remove-member" ;;
        message) echo "add list show edit rm" ;;
        mailing) echo "add list show edit rm stop disable enable" ;;
        report) echo "attempts recipients links bounces" ;;
        cron) echo "show install remove" ;;
        blog) echo "add list show edit rm publish unpublish export" ;;
        bounces) echo "fetch list show parse" ;;
        db) echo "copy" ;;
    esac
}

# Prints the flags of "command subcommand" (without the global ones).
_mailer_flags() {
    case "$1 $2" in
        "user create-superuser") echo "--password-stdin" ;;
        "user register") echo "--name --password-stdin" ;;
        "user reset-password") echo "--code --password-stdin" ;;
        "login "*) echo "--password-stdin" ;;
        "client add") echo "--name --comment --group" ;;
        "client list") echo "--group --search --unsubscribed --suppressed --all" ;;
        "client edit") echo "--email --name --comment --resubscribe --unsubscribe --unsuppress" ;;
        "client import") echo "--group --skip-invalid --columns --encoding" ;;
        "client export") echo "--group --raw" ;;
        "group rm" | "group members" | "group add-member" | "group remove-member") echo "--owner" ;;
        "group list" | "message list" | "mailing list") echo "--all" ;;
        "message add") echo "--subject --body --body-file --html-file" ;;
        "message edit") echo "--subject --body --body-file --html-file --no-html" ;;
        "message show") echo "--render --client --part" ;;
        "mailing add") echo "--message --name --client --group --start --end --every" ;;
        "mailing edit") echo "--message --name --client --group --start --end --no-end --every" ;;
        "send "*) echo "--due --dry-run --to --retry-failed --quiet-idle" ;;
        "report ") echo "--mailing --since --until --all --html --format --delimiter" ;;
        "report attempts") echo "--mailing --status --since --email --final --all --format --delimiter" ;;
        "report recipients") echo "--mailing --status --opened --not-opened --clicked --format --delimiter" ;;
        "report links") echo "--mailing --format --delimiter" ;;
        "report bounces") echo "--mailing --since --until --all --format --delimiter" ;;
        "bounces fetch") echo "--expunge" ;;
        "bounces list") echo "--unmatched" ;;
        "db copy") echo "--to" ;;
        "stats "*) echo "--all" ;;
        "serve "*) echo "--listen" ;;
        "blog add") echo "--title --body --body-file --image" ;;
        "blog edit") echo "--title --body --body-file --image --no-image" ;;
        "blog list") echo "--all" ;;
        "blog show") echo "--raw" ;;
        "blog export") echo "--base-url" ;;
    esac
}

_mailer() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--every=we" arrives as "--every" "=" "we" (= is in COMP_WORDBREAKS).
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    local commands="init user login logout whoami client group message mailing send report stats cron serve blog bounces db"
    local globals="--config --db --json -q --quiet -v --verbose --log-timestamps --version -h --help"
    local value_options="--config --db --name --comment --group --search --email --code --subject
        --body --body-file --html-file --message --client --start --end --every --mailing --status --part --since --to
        --columns --encoding --owner --until --html --format --delimiter --listen --title --image --base-url"

    # Find the command, its subcommand and how many positional arguments follow them,
    # skipping options and the values of those that take one.
    local cmd="" sub="" npos=0 i w
    local -a db_args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ ${COMP_WORDS[i + 1]} == "=" ]]; then
            # --opt=value: skip "=" and the value (when it is complete).
            [[ $w == --config || $w == --db ]] && ((i + 2 < COMP_CWORD)) && db_args+=("$w" "${COMP_WORDS[i + 2]}")
            ((i += 2))
            continue
        fi
        case $w in
            --config | --db)
                ((i + 1 < COMP_CWORD)) && db_args+=("$w" "${COMP_WORDS[i + 1]}")
                ((i++))
                continue
                ;;
            -*)
                [[ " ${value_options//$'\n'/ } " == *" $w "* ]] && ((i++))
                continue
                ;;
        esac
        if [[ -z $cmd ]]; then
            cmd=$w
        elif [[ -z $sub && -n $(_mailer_subcommands "$cmd") ]]; then
            sub=$w
        else
            ((npos++))
        fi
    done

    # The value of an option.
    case $prev in
        --config | --db | --body-file | --html-file | --html | --image)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return
            ;;
        --every)
            mapfile -t COMPREPLY < <(compgen -W "once daily weekly monthly" -- "$cur")
            return
            ;;
        --status)
            mapfile -t COMPREPLY < <(compgen -W "sent bounced deferred failed pending" -- "$cur")
            return
            ;;
        --format)
            mapfile -t COMPREPLY < <(compgen -W "table csv" -- "$cur")
            return
            ;;
        --delimiter)
            mapfile -t COMPREPLY < <(compgen -W "$(printf '%s\n' , ';')" -- "$cur")
            return
            ;;
        --part)
            mapfile -t COMPREPLY < <(compgen -W "text html" -- "$cur")
            return
            ;;
        --start | --end | --since | --until)
            mapfile -t COMPREPLY < <(compgen -W "now" -- "$cur")
            return
            ;;
        --group)
            _mailer_complete_groups "$cur" "${db_args[@]}"
            return
            ;;
        --encoding)
            mapfile -t COMPREPLY < <(compgen -W "utf-8 cp1251" -- "$cur")
            return
            ;;
        --columns)
            mapfile -t COMPREPLY < <(compgen -W "email,name,comment email,name email" -- "$cur")
            return
            ;;
        --owner)
            return
            ;;
        --name | --comment | --search | --email | --code | --subject | --body | --message | --client | --mailing | --title | --base-url)
            return
            ;;
    esac

    # Flags.
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_mailer_flags "$cmd" "$sub") $globals" -- "$cur")
        return
    fi

    # The command, then its subcommand.
    if [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi
    local subs
    subs=$(_mailer_subcommands "$cmd")
    if [[ -n $subs && -z $sub ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
        return
    fi

    # Positional arguments.
    case "$cmd $sub" in
        "client import" | "bounces parse")
            if ((npos == 0)); then
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                [[ -z $cur || $cur == - ]] && COMPREPLY+=("-")
            fi
            ;;
        "user grant" | "user revoke")
            ((npos == 1)) && mapfile -t COMPREPLY < <(compgen -W "manager content-manager superuser" -- "$cur")
            ;;
        "group rm" | "group members" | "group add-member" | "group remove-member")
            ((npos == 0)) && _mailer_complete_groups "$cur" "${db_args[@]}"
            ;;
        "blog export")
            if ((npos == 0)); then
                compopt -o dirnames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            fi
            ;;
    esac
}

complete -F _mailer mailer
