# SPDX-License-Identifier: GPL-2.0-or-later
# tidy.awk - fixes scdoc's roff for mandoc -T lint and groff: drops the paragraph macros that start no paragraph, and turns hyphenation off after .TH, which resets it.
# Input: scdoc's roff on standard input or the files named; output: the
# same page with these changes only:
#  - a .P right after a heading (.TH, .SH, .SS) is dropped, and so is one
#    followed by another .P or a heading ("skipping paragraph macro");
#  - a .P before .RE is moved after it, where it still separates what
#    follows the indented block;
#  - .nh and .ad l, which scdoc writes before .TH, are repeated after it:
#    groff's .TH turns hyphenation and adjusting back on.
/^\.P$/ {
	if (!after_heading)
		pending = 1
	next
}
/^\.RE( |$)/ {
	print
	after_heading = 0
	next
}
{
	if (pending && $0 !~ /^\.(P|PP|SH|SS)( |$)/)
		print ".P"
	pending = 0
	print
	after_heading = ($0 ~ /^\.(TH|SH|SS)( |$)/)
	if ($0 ~ /^\.TH /) {
		print ".nh"
		print ".ad l"
	}
}
