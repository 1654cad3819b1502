"""The mailbox on the portal: the 信箱公开 column of answered letters, published with consent."""
