import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { LeaderboardModule } from '../leaderboard';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { tracerOf } from '../tracing/tracer';
import { ProductEntity } from './product.entity';
import { ProductViews, TRENDING_WINDOWS } from './product-views';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';
import { TrendingService } from './trending.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ProductEntity]),
    LeaderboardModule.forRootAsync({
      inject: [REDIS_CLIENT, AppConfig],
      useFactory: (redis: RedisClient | null, config: AppConfig) => ({
        redis,
        keyPrefix: config.redis.keyPrefix,
        windows: TRENDING_WINDOWS,
        flushIntervalMs: config.trending.flushIntervalMs,
        counting: config.trending.enabled,
        tracer: tracerOf(config, 'leaderboard'),
      }),
    }),
  ],
  controllers: [ProductsController],
  providers: [ProductsService, ProductViews, TrendingService],
  exports: [ProductsService],
})
export class ProductsModule {}
