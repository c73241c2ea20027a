import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountMails } from './account-mails.js';
import { MailOutbox } from './mail-outbox.service.js';
import { MailTransport } from './mail-transport.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxSender } from './outbox-sender.service.js';

/** Outgoing mail: the outbox that requests write to, and the sender that delivers it. */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage])],
  providers: [MailOutbox, MailTransport, OutboxSender, AccountMails],
  exports: [MailOutbox, OutboxSender, AccountMails],
})
export class MailModule {}
