// A ChannelPoster whose posts take their channel's turn in the shared pacer: a digest posted by one
// replica and an alert posted by another to the same channel are spaced like two alerts.
import type { ChannelPoster } from '../channel-poster.ts';
import type { ChannelPacer } from './channel-pacer.ts';

export function pacedChannelPoster(poster: ChannelPoster, pacer: ChannelPacer): ChannelPoster {
  return {
    budget: poster.budget,
    // beforeSend runs at the turn: a post that waited for it is checked when it is about to go out.
    post: (channel, message, options) => pacer.run(channel, () => poster.post(channel, message, options)),
    reply: (parent, message) => pacer.run(parent.channel, () => poster.reply(parent, message)),
    uploadPng: (channel, png, options) => pacer.run(channel, () => poster.uploadPng(channel, png, options)),
  };
}
